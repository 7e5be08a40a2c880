package dev.kiwo.classifier.routing;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

/**
 * A record that cannot be read goes, as its original bytes, to the dead-letter topic with kiwo's reason headers
 * and cut to the record limit (see {@link DeadLetters}), and processing continues.
 */
public class DeadLetterDeserializationExceptionHandler extends LogAndContinueExceptionHandler {

    private final DeadLetters.Finisher deadLetters = new DeadLetters.Finisher();

    @Override
    public void configure(Map<String, ?> configs) {
        super.configure(configs);
        deadLetters.configure(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                Exception exception) {
        Response response = super.handleError(context, record, exception);
        return Response.resume(deadLetters.finish(response.deadLetterQueueRecords(), exception));
    }
}
