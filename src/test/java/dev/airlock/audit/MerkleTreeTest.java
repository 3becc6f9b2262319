package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 9162 hashing and proofs against the RFC 6962 test vectors of certificate-transparency (eight leaves), then
 * exhaustively: every proof of every tree up to 70 leaves verifies, and any change to it does not.
 */
class MerkleTreeTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[][] LEAVES = {
        HEX.parseHex(""),
        HEX.parseHex("00"),
        HEX.parseHex("10"),
        HEX.parseHex("2021"),
        HEX.parseHex("3031"),
        HEX.parseHex("40414243"),
        HEX.parseHex("5051525354555657"),
        HEX.parseHex("606162636465666768696a6b6c6d6e6f")
    };
    private static final String[] ROOTS = {
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    };

    /** Complete subtrees computed naively from the leaves (what the sequencer stores). */
    private static MerkleTree.Nodes nodes(List<byte[]> leaves) {
        return (level, idx) -> naive(leaves.subList((int) (idx << level), (int) ((idx + 1) << level)));
    }

    private static byte[] naive(List<byte[]> leaves) {
        if (leaves.size() == 1) {
            return MerkleTree.leafHash(leaves.get(0));
        }
        int k = Integer.highestOneBit(leaves.size() - 1);
        return MerkleTree.nodeHash(naive(leaves.subList(0, k)), naive(leaves.subList(k, leaves.size())));
    }

    private static List<String> hex(List<byte[]> proof) {
        return proof.stream().map(HEX::formatHex).toList();
    }

    @Test
    void rootsMatchTheRfc6962Vectors() {
        assertThat(HEX.formatHex(MerkleTree.EMPTY))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        List<byte[]> leaves = List.of(LEAVES);
        for (int n = 1; n <= 8; n++) {
            assertThat(HEX.formatHex(MerkleTree.hash(nodes(leaves), 0, n)))
                    .as("root of %d leaves", n)
                    .isEqualTo(ROOTS[n - 1]);
        }
    }

    @Test
    void proofsMatchTheRfc6962Vectors() {
        MerkleTree.Nodes nodes = nodes(List.of(LEAVES));
        assertThat(hex(MerkleTree.inclusionProof(nodes, 0, 8)))
                .containsExactly(
                        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
        assertThat(hex(MerkleTree.inclusionProof(nodes, 5, 8)))
                .containsExactly(
                        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
        assertThat(hex(MerkleTree.inclusionProof(nodes, 2, 3)))
                .containsExactly("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125");
        assertThat(hex(MerkleTree.consistencyProof(nodes, 1, 8)))
                .containsExactly(
                        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
        assertThat(hex(MerkleTree.consistencyProof(nodes, 6, 8)))
                .containsExactly(
                        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
        assertThat(hex(MerkleTree.consistencyProof(nodes, 2, 5)))
                .containsExactly(
                        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");
    }

    @Test
    void everyProofOfEveryTreeVerifiesAndNoAlteredOneDoes() {
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            leaves.add(("entry " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        MerkleTree.Nodes nodes = nodes(leaves);
        for (int size = 1; size <= leaves.size(); size++) {
            byte[] root = MerkleTree.hash(nodes, 0, size);
            for (int i = 0; i < size; i++) {
                byte[] leaf = MerkleTree.leafHash(leaves.get(i));
                List<byte[]> proof = MerkleTree.inclusionProof(nodes, i, size);
                assertThat(MerkleTree.verifyInclusion(leaf, i, size, proof, root))
                        .isTrue();
                assertThat(MerkleTree.verifyInclusion(leaf, i + 1, size, proof, root))
                        .isFalse();
                assertThat(MerkleTree.verifyInclusion(MerkleTree.leafHash(new byte[] {1}), i, size, proof, root))
                        .isFalse();
                if (!proof.isEmpty()) {
                    List<byte[]> shorter = proof.subList(0, proof.size() - 1);
                    assertThat(MerkleTree.verifyInclusion(leaf, i, size, shorter, root))
                            .isFalse();
                }
            }
            for (int from = 1; from <= size; from++) {
                byte[] old = MerkleTree.hash(nodes, 0, from);
                List<byte[]> proof = MerkleTree.consistencyProof(nodes, from, size);
                assertThat(MerkleTree.verifyConsistency(from, size, old, root, proof))
                        .as("%d -> %d", from, size)
                        .isTrue();
                if (from < size) {
                    assertThat(MerkleTree.verifyConsistency(from, size, root, root, proof))
                            .isFalse();
                    List<byte[]> altered = new ArrayList<>(proof);
                    altered.set(0, MerkleTree.EMPTY);
                    assertThat(MerkleTree.verifyConsistency(from, size, old, root, altered))
                            .isFalse();
                }
            }
        }
    }

    @Test
    void proofsOutsideTheTreeAreRefused() {
        MerkleTree.Nodes nodes = nodes(List.of(LEAVES));
        assertThatThrownBy(() -> MerkleTree.inclusionProof(nodes, 8, 8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MerkleTree.consistencyProof(nodes, 0, 8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MerkleTree.consistencyProof(nodes, 5, 4)).isInstanceOf(IllegalArgumentException.class);
    }
}
