package dev.kiwo.classifier.routing;

import dev.kiwo.model.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Finishes the dead letters the Streams error handlers build (KIP-1034: the source record's key, value and
 * headers plus {@code __streams.errors.*}): adds kiwo's reason headers and makes each one fit the record limit.
 * A dead letter too large to send would fail in the producer like the record it stands for, and under
 * exactly-once take the transaction down with it; so one over the limit loses its stack trace, then the source's
 * own headers, then the end of its value, and says so in {@link DeadLetterHeaders#ORIGINAL_BYTES}. The
 * {@code __streams.errors.topic}, {@code partition} and {@code offset} headers always point to the whole original.
 */
final class DeadLetters {

    /** Bytes one header costs beyond its key and value: two varint lengths, at most five bytes each. */
    private static final int HEADER_OVERHEAD = 10;

    private static final String STREAMS_ERRORS_PREFIX = "__streams.errors.";
    private static final String STACKTRACE = "__streams.errors.stacktrace";
    private static final Set<String> REASONS = Set.of(DeadLetterHeaders.ERROR_CLASS, DeadLetterHeaders.ERROR_MESSAGE);
    private static final int MAX_MESSAGE_CHARS = 1_000;

    private DeadLetters() {
    }

    /**
     * The record limit a dead-letter handler finishes with: the default until Kafka Streams configures the handler
     * with {@link RecordLimitProperties#STREAMS_CONFIG}. Each handler keeps one, as its base classes differ.
     */
    static final class Finisher {

        private int maxRecordBytes = RecordLimitProperties.DEFAULT_MAX_RECORD_BYTES;

        void configure(Map<String, ?> configs) {
            maxRecordBytes = RecordLimitProperties.maxRecordBytes(configs);
        }

        List<ProducerRecord<byte[], byte[]>> finish(List<ProducerRecord<byte[], byte[]>> deadLetters,
                                                    Exception exception) {
            return DeadLetters.finish(deadLetters, exception, maxRecordBytes);
        }
    }

    /** The given dead letters with reason headers, each cut down to at most {@code maxBytes}. */
    static List<ProducerRecord<byte[], byte[]>> finish(List<ProducerRecord<byte[], byte[]>> deadLetters,
                                                       Exception exception, int maxBytes) {
        return deadLetters.stream().map(deadLetter -> finish(deadLetter, exception, maxBytes)).toList();
    }

    static ProducerRecord<byte[], byte[]> finish(ProducerRecord<byte[], byte[]> deadLetter, Exception exception,
                                                 int maxBytes) {
        byte[] key = deadLetter.key();
        byte[] value = deadLetter.value();
        int original = size(key, value, deadLetter.headers());
        Headers headers = new RecordHeaders(deadLetter.headers().toArray());
        headers.add(DeadLetterHeaders.ERROR_CLASS, utf8(exception.getClass().getName()));
        headers.add(DeadLetterHeaders.ERROR_MESSAGE, utf8(message(exception)));
        boolean fits = size(key, value, headers) <= maxBytes;
        if (!fits) {
            headers.remove(STACKTRACE);
        }
        if (size(key, value, headers) > maxBytes) {
            Headers reasons = new RecordHeaders();
            for (Header header : headers) {
                if (header.key().startsWith(STREAMS_ERRORS_PREFIX) || REASONS.contains(header.key())) {
                    reasons.add(header);
                }
            }
            headers = reasons;
        }
        if (!fits) {
            headers.add(DeadLetterHeaders.ORIGINAL_BYTES, utf8(Integer.toString(original)));
            int room = Math.max(0, maxBytes - size(null, null, headers));
            key = cut(key, room);
            value = cut(value, room - length(key));
        }
        return new ProducerRecord<>(deadLetter.topic(), deadLetter.partition(), deadLetter.timestamp(), key, value,
                headers);
    }

    /** Bytes of key, value and headers: what the producer's max.request.size is measured against, less the framing. */
    static int size(byte[] key, byte[] value, Headers headers) {
        int size = length(key) + length(value);
        for (Header header : headers) {
            size += utf8(header.key()).length + length(header.value()) + HEADER_OVERHEAD;
        }
        return size;
    }

    private static String message(Exception exception) {
        String message = String.valueOf(exception.getMessage());
        return message.length() <= MAX_MESSAGE_CHARS ? message : message.substring(0, MAX_MESSAGE_CHARS);
    }

    private static byte[] cut(byte[] bytes, int room) {
        return bytes == null || bytes.length <= room ? bytes : Arrays.copyOf(bytes, Math.max(0, room));
    }

    private static int length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
