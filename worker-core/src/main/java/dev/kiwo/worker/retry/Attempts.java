package dev.kiwo.worker.retry;

import java.nio.ByteBuffer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.springframework.kafka.retrytopic.RetryTopicHeaders;

/** Which attempt a record is: 1 on the job topic, then the number Spring's retry topics carry in a header. */
public final class Attempts {

    private Attempts() {
    }

    public static int of(ConsumerRecord<?, ?> record) {
        Header header = record.headers().lastHeader(RetryTopicHeaders.DEFAULT_HEADER_ATTEMPTS);
        if (header == null || header.value() == null) {
            return 1;
        }
        byte[] value = header.value();
        // Spring writes a 4-byte int; older versions wrote a single byte.
        if (value.length == Integer.BYTES) {
            return Math.max(1, ByteBuffer.wrap(value).getInt());
        }
        return value.length == 1 ? Math.max(1, Byte.toUnsignedInt(value[0])) : 1;
    }
}
