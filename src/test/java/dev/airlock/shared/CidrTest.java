package dev.airlock.shared;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CidrTest {
    @Test
    void matchesAddressesInsideTheRange() {
        assertThat(Cidr.contains("127.0.0.0/8", "127.0.0.1")).isTrue();
        assertThat(Cidr.contains("10.1.0.0/16", "10.1.255.3")).isTrue();
        assertThat(Cidr.contains("0.0.0.0/0", "8.8.8.8")).isTrue();
        assertThat(Cidr.contains("192.168.1.7/32", "::ffff:192.168.1.7")).isTrue();
    }

    @Test
    void refusesAddressesOutsideOrMalformed() {
        assertThat(Cidr.contains("10.0.0.0/8", "127.0.0.1")).isFalse();
        assertThat(Cidr.contains("192.168.1.7/32", "192.168.1.8")).isFalse();
        assertThat(Cidr.contains("10.0.0.0/8", "::1")).isFalse();
        assertThat(Cidr.contains("10.0.0.0/33", "10.0.0.1")).isFalse();
        assertThat(Cidr.contains("garbage", "10.0.0.1")).isFalse();
    }
}
