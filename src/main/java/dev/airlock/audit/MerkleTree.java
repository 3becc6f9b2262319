package dev.airlock.audit;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The hashing of RFC 9162 §2.1 (the same as RFC 6962): a leaf is {@code SHA-256(0x00 || entry)}, an interior node
 * {@code SHA-256(0x01 || left || right)}, and the tree over n leaves splits at the largest power of two below n.
 * Inclusion and consistency proofs are generated from a {@link Nodes} source (which reads stored subtree hashes) and
 * verified with the RFC's algorithms, so a proof costs O(log n) hashes and lookups.
 */
public final class MerkleTree {
    /** The hash of an empty tree: SHA-256 of nothing. */
    public static final byte[] EMPTY = sha256(new byte[0]);

    private MerkleTree() {}

    /** Hashes of leaves and of complete subtrees: {@code node(level, index)} covers leaves [index·2^level, (index+1)·2^level). */
    public interface Nodes {
        byte[] node(int level, long index);
    }

    public static byte[] leafHash(byte[] entry) {
        MessageDigest md = digest();
        md.update((byte) 0);
        md.update(entry);
        return md.digest();
    }

    public static byte[] nodeHash(byte[] left, byte[] right) {
        MessageDigest md = digest();
        md.update((byte) 1);
        md.update(left);
        md.update(right);
        return md.digest();
    }

    /** MTH(D[start:end]) from stored complete subtrees: at most 2·log n lookups. */
    public static byte[] hash(Nodes nodes, long start, long end) {
        long n = end - start;
        if (n == 0) {
            return EMPTY.clone();
        }
        if (Long.bitCount(n) == 1 && start % n == 0) {
            return nodes.node(Long.numberOfTrailingZeros(n), start / n);
        }
        long k = split(n);
        return nodeHash(hash(nodes, start, start + k), hash(nodes, start + k, end));
    }

    /** The largest power of two smaller than n (n ≥ 2). */
    static long split(long n) {
        return Long.highestOneBit(n - 1);
    }

    /** PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, the hash nearest the leaf first. */
    public static List<byte[]> inclusionProof(Nodes nodes, long index, long size) {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("index " + index + " is not in a tree of size " + size);
        }
        List<byte[]> proof = new ArrayList<>();
        path(nodes, index, 0, size, proof);
        return proof;
    }

    private static void path(Nodes nodes, long m, long start, long end, List<byte[]> out) {
        long n = end - start;
        if (n <= 1) {
            return;
        }
        long k = split(n);
        if (m < k) {
            path(nodes, m, start, start + k, out);
            out.add(hash(nodes, start + k, end));
        } else {
            path(nodes, m - k, start + k, end, out);
            out.add(hash(nodes, start, start + k));
        }
    }

    /** PROOF(from, D[0:to]) of RFC 9162 §2.1.4.1. */
    public static List<byte[]> consistencyProof(Nodes nodes, long from, long to) {
        if (from <= 0 || from > to) {
            throw new IllegalArgumentException("no consistency proof from size " + from + " to size " + to);
        }
        List<byte[]> proof = new ArrayList<>();
        subproof(nodes, from, 0, to, true, proof);
        return proof;
    }

    private static void subproof(Nodes nodes, long m, long start, long end, boolean complete, List<byte[]> out) {
        long n = end - start;
        if (m == n) {
            if (!complete) {
                out.add(hash(nodes, start, end));
            }
            return;
        }
        long k = split(n);
        if (m <= k) {
            subproof(nodes, m, start, start + k, complete, out);
            out.add(hash(nodes, start + k, end));
        } else {
            subproof(nodes, m - k, start + k, end, false, out);
            out.add(hash(nodes, start, start + k));
        }
    }

    /** RFC 9162 §2.1.3.2: does {@code proof} show the leaf at {@code index} is in the tree of {@code size} with {@code root}? */
    public static boolean verifyInclusion(byte[] leafHash, long index, long size, List<byte[]> proof, byte[] root) {
        if (index < 0 || index >= size) {
            return false;
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = nodeHash(p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = nodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && Arrays.equals(r, root);
    }

    /** RFC 9162 §2.1.4.2: is the tree of size {@code to} with {@code toRoot} an extension of {@code from}/{@code fromRoot}? */
    public static boolean verifyConsistency(long from, long to, byte[] fromRoot, byte[] toRoot, List<byte[]> proof) {
        if (from <= 0 || from > to) {
            return false;
        }
        if (from == to) {
            return proof.isEmpty() && Arrays.equals(fromRoot, toRoot);
        }
        if (proof.isEmpty()) {
            return false;
        }
        List<byte[]> path = new ArrayList<>(proof);
        if (Long.bitCount(from) == 1) {
            path.add(0, fromRoot);
        }
        long fn = from - 1;
        long sn = to - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = nodeHash(c, fr);
                sr = nodeHash(c, sr);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                sr = nodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && Arrays.equals(fr, fromRoot) && Arrays.equals(sr, toRoot);
    }

    static byte[] sha256(byte[] bytes) {
        return digest().digest(bytes);
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
