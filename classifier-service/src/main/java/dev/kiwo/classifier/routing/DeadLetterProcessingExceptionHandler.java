package dev.kiwo.classifier.routing;

import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/**
 * A record the topology rejects ({@link RejectedRecordException}, {@link OversizedRecordException}) goes to the
 * dead-letter topic, with kiwo's reason headers and cut to the record limit (see {@link DeadLetters}), and
 * processing continues.
 */
public class DeadLetterProcessingExceptionHandler extends LogAndContinueProcessingExceptionHandler {

    private final DeadLetters.Finisher deadLetters = new DeadLetters.Finisher();

    @Override
    public void configure(Map<String, ?> configs) {
        super.configure(configs);
        deadLetters.configure(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        Response response = super.handleError(context, record, exception);
        return Response.resume(deadLetters.finish(response.deadLetterQueueRecords(), exception));
    }
}
