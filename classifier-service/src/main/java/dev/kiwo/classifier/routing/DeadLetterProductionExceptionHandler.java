package dev.kiwo.classifier.routing;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An output record that cannot be serialized goes to the dead-letter topic (KIP-1034) and the classifier goes on;
 * the default handler would build the same dead letter and then stop the stream thread. Serialization happens
 * before the record reaches the producer, so resuming keeps the transaction intact. Errors the broker reports
 * keep the default: retriable ones are retried, the others fail, because under exactly-once they have already
 * put the transaction into an error state that no handler can commit past. That includes a
 * {@code RecordTooLargeException}: the producer moves its transaction to an abortable error before this handler
 * hears of it, so resuming would only fail the commit; the topology turns such records away before the send
 * instead ({@link OversizedRecordException}).
 */
public class DeadLetterProductionExceptionHandler extends DefaultProductionExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProductionExceptionHandler.class);

    private final DeadLetters.Finisher deadLetters = new DeadLetters.Finisher();

    @Override
    public void configure(Map<String, ?> configs) {
        super.configure(configs);
        deadLetters.configure(configs);
    }

    @Override
    @SuppressWarnings("rawtypes") // the signature Kafka Streams declares
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record,
            Exception exception, SerializationExceptionOrigin origin) {
        Response response = super.handleSerializationError(context, record, exception, origin);
        if (response.result() != ProductionExceptionHandler.Result.FAIL) {
            return response;
        }
        LOG.warn("Could not serialize the output for {} of input {}-{}@{}, dead-lettered: {}", record.topic(),
                context.topic(), context.partition(), context.offset(), exception.toString());
        return Response.resume(deadLetters.finish(response.deadLetterQueueRecords(), exception));
    }
}
