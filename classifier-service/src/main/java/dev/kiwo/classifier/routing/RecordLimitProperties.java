package dev.kiwo.classifier.routing;

import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The largest record the classifier sends, routed job or dead letter: key, value and headers. It must stay below
 * the Streams producer's {@code max.request.size} and the {@code max.message.bytes} of jobs.light, jobs.heavy and
 * jobs.dlq, less the batch framing; the default is 1 KiB under the 1 MiB both default to.
 *
 * @param maxRecordBytes the limit in bytes
 */
@ConfigurationProperties("kiwo.classifier")
record RecordLimitProperties(@DefaultValue("1047552") int maxRecordBytes) {

    static final int DEFAULT_MAX_RECORD_BYTES = 1_047_552;

    /** The Streams configuration key that carries the limit to the error handlers Kafka Streams instantiates. */
    static final String STREAMS_CONFIG = "kiwo.classifier.max.record.bytes";

    RecordLimitProperties {
        if (maxRecordBytes < 1_024) {
            throw new IllegalArgumentException("kiwo.classifier.max-record-bytes must be at least 1024, was "
                    + maxRecordBytes);
        }
    }

    /** The limit a handler was configured with, or the default. */
    static int maxRecordBytes(Map<String, ?> configs) {
        Object limit = configs.get(STREAMS_CONFIG);
        return limit == null ? DEFAULT_MAX_RECORD_BYTES : Integer.parseInt(limit.toString());
    }
}
