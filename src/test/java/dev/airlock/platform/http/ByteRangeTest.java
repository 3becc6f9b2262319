package dev.airlock.platform.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ByteRangeTest {
    @Test
    void singleRangesAreClippedToTheResource() {
        assertThat(ByteRange.parse("bytes=0-99", 1000)).isEqualTo(new ByteRange(0, 99));
        assertThat(ByteRange.parse("bytes=900-", 1000)).isEqualTo(new ByteRange(900, 999));
        assertThat(ByteRange.parse("bytes=990-5000", 1000)).isEqualTo(new ByteRange(990, 999));
        assertThat(ByteRange.parse("bytes=-10", 1000)).isEqualTo(new ByteRange(990, 999));
        assertThat(ByteRange.parse("bytes=-5000", 1000)).isEqualTo(new ByteRange(0, 999));
        assertThat(ByteRange.parse(" Bytes=5-5 ", 1000)).isEqualTo(new ByteRange(5, 5));
        assertThat(ByteRange.parse("bytes=5-5", 1000).length()).isEqualTo(1);
    }

    @Test
    void pastTheEndIsUnsatisfiable() {
        assertThat(ByteRange.parse("bytes=1000-", 1000)).isEqualTo(ByteRange.UNSATISFIABLE);
        assertThat(ByteRange.parse("bytes=1000-1001", 1000)).isEqualTo(ByteRange.UNSATISFIABLE);
        assertThat(ByteRange.parse("bytes=-0", 1000)).isEqualTo(ByteRange.UNSATISFIABLE);
        assertThat(ByteRange.parse("bytes=0-", 0)).isEqualTo(ByteRange.UNSATISFIABLE);
        assertThat(ByteRange.parse("bytes=-3", 0)).isEqualTo(ByteRange.UNSATISFIABLE);
    }

    @Test
    void whatIsNotOneWellFormedByteRangeIsIgnored() {
        for (String h : new String[] {
            null,
            "",
            "bytes",
            "items=0-5",
            "bytes=0-1,5-6",
            "bytes=9-3",
            "bytes=x-",
            "bytes=-",
            "bytes=1-x",
            "bytes=99999999999999999999-"
        }) {
            assertThat(ByteRange.parse(h, 1000)).as(String.valueOf(h)).isNull();
        }
    }

    @Test
    void conditions() {
        String tag = "\"abc\"";
        assertThat(Conditions.noneMatch(null, tag)).isFalse();
        assertThat(Conditions.noneMatch(tag, tag)).isTrue();
        assertThat(Conditions.noneMatch("W/" + tag, tag)).isTrue();
        assertThat(Conditions.noneMatch("\"x\", " + tag, tag)).isTrue();
        assertThat(Conditions.noneMatch("*", tag)).isTrue();
        assertThat(Conditions.noneMatch("\"x\"", tag)).isFalse();
        assertThat(Conditions.ifRange(null, tag)).isTrue();
        assertThat(Conditions.ifRange(tag, tag)).isTrue();
        assertThat(Conditions.ifRange("W/" + tag, tag)).isFalse();
        assertThat(Conditions.ifRange("Wed, 21 Oct 2015 07:28:00 GMT", tag)).isFalse();
    }
}
