package dev.kiwo.classifier.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.model.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

    private static final int LIMIT = 2_048;

    @Test
    void addsTheReasonAndKeepsADeadLetterThatFitsWhole() {
        ProducerRecord<byte[], byte[]> deadLetter = deadLetter(bytes(100));
        deadLetter.headers().add("kiwo-correlation-id", utf8("corr-1"));

        ProducerRecord<byte[], byte[]> finished = DeadLetters.finish(deadLetter, new IllegalStateException("why"),
                LIMIT);

        assertThat(finished.value()).isEqualTo(deadLetter.value());
        assertThat(text(finished, DeadLetterHeaders.ERROR_CLASS)).isEqualTo(IllegalStateException.class.getName());
        assertThat(text(finished, DeadLetterHeaders.ERROR_MESSAGE)).isEqualTo("why");
        assertThat(text(finished, "__streams.errors.stacktrace")).isNotNull();
        assertThat(text(finished, "kiwo-correlation-id")).isEqualTo("corr-1");
        assertThat(finished.headers().lastHeader(DeadLetterHeaders.ORIGINAL_BYTES)).isNull();
    }

    @Test
    void cutsADeadLetterOverTheLimitDownToItKeepingTheReasonAndTheReference() {
        ProducerRecord<byte[], byte[]> deadLetter = deadLetter(bytes(10_000));
        deadLetter.headers().add("padding", bytes(5_000));
        int original = DeadLetters.size(deadLetter.key(), deadLetter.value(), deadLetter.headers());

        ProducerRecord<byte[], byte[]> finished = DeadLetters.finish(deadLetter, new OversizedRecordException("big"),
                LIMIT);

        assertThat(DeadLetters.size(finished.key(), finished.value(), finished.headers()))
                .isLessThanOrEqualTo(LIMIT);
        assertThat(finished.key()).isEqualTo(deadLetter.key());
        assertThat(finished.value()).isNotEmpty().isEqualTo(Arrays.copyOf(deadLetter.value(), finished.value().length));
        assertThat(Integer.parseInt(text(finished, DeadLetterHeaders.ORIGINAL_BYTES)))
                .isEqualTo(original);
        assertThat(text(finished, DeadLetterHeaders.ERROR_CLASS)).isEqualTo(OversizedRecordException.class.getName());
        assertThat(text(finished, "__streams.errors.offset")).isEqualTo("42");
        assertThat(finished.headers().lastHeader("padding")).isNull();
        assertThat(finished.headers().lastHeader("__streams.errors.stacktrace")).isNull();
    }

    private static ProducerRecord<byte[], byte[]> deadLetter(byte[] value) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("jobs.dlq", null, 1L,
                utf8("3f1c0b7e-0000-4000-8000-000000000000"), value);
        record.headers().add("__streams.errors.exception", utf8(OversizedRecordException.class.getName()));
        record.headers().add("__streams.errors.stacktrace", bytes(800));
        record.headers().add("__streams.errors.topic", utf8("jobs.in"));
        record.headers().add("__streams.errors.offset", utf8("42"));
        return record;
    }

    private static byte[] bytes(int length) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) 'x');
        return bytes;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(ProducerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
