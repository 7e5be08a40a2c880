package dev.kiwo.model;

import org.apache.kafka.common.serialization.Serde;

/** A Kafka topic with the serdes of its keys and values, so a name never travels without its types. */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {

    @Override
    public String toString() {
        return name;
    }
}
