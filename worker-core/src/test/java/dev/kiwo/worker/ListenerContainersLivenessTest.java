package dev.kiwo.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiwo.testsupport.KafkaTestBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The worker's liveness against a real broker follows its listener containers: up while they run, also with a
 * retry partition paused on purpose; down once a container stops or one of its consumers stops abnormally. A
 * context of its own per test (the others share theirs), on jobs.heavy under its own instance name, so that its
 * consumers and transactional producers never meet those of the other tests.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "kiwo.worker.pool=heavy",
        "kiwo.worker.topics=jobs.heavy",
        "kiwo.worker.instance=worker-liveness-test",
        "management.endpoint.health.probes.enabled=true",
        "management.endpoint.health.group.liveness.include=livenessState,kafkaListeners",
        "management.endpoint.health.show-details=always"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_EACH_TEST_METHOD)
class ListenerContainersLivenessTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", KafkaTestBroker::bootstrapServers);
    }

    @LocalServerPort
    int port;

    @Autowired
    KafkaListenerEndpointRegistry registry;

    @Test
    void isLiveWhileTheContainersRunAndARetryPartitionIsPausedOnPurpose() throws Exception {
        MessageListenerContainer retry = registry.getListenerContainers().stream()
                .filter(container -> container.getListenerId().contains("retry")).findFirst().orElseThrow();
        TopicPartition retryPartition =
                await().atMost(WAIT).until(() -> assigned(retry), partition -> partition != null);
        assertThat(liveness().statusCode()).isEqualTo(200);

        // what the retry topic's back-off does until the partition's next record is due
        retry.pausePartition(retryPartition);

        await().atMost(WAIT).until(() -> retry.isPartitionPaused(retryPartition));
        assertThat(liveness()).returns(200, HttpResponse::statusCode)
                .extracting(HttpResponse::body).asString()
                .contains("\"" + retry.getListenerId() + "\":{\"state\":\"RUNNING\"")
                .containsPattern("\"pausedPartitions\":[1-9]");
    }

    @Test
    void isDownOnceAContainerStops() throws Exception {
        awaitLive();

        registry.getListenerContainer(JobListener.ID).stop();

        assertThat(liveness()).returns(503, HttpResponse::statusCode)
                .extracting(HttpResponse::body).asString()
                .contains("\"" + JobListener.ID + "\":{\"state\":\"STOPPED\"");
    }

    @Test
    void isDownOnceAConsumerStopsAbnormally() throws Exception {
        awaitLive();
        ConcurrentMessageListenerContainer<?, ?> jobs =
                (ConcurrentMessageListenerContainer<?, ?>) registry.getListenerContainer(JobListener.ID);

        // what a consumer thread that ends on a fatal error (fenced, unauthorized, ...) leaves behind
        jobs.getContainers().get(0).stopAbnormally(() -> { });

        await().atMost(WAIT).untilAsserted(() -> assertThat(liveness())
                .returns(503, HttpResponse::statusCode)
                .extracting(HttpResponse::body).asString()
                .contains("\"" + JobListener.ID + "\":{\"state\":\"FAILED\""));
    }

    private void awaitLive() {
        await().atMost(WAIT).untilAsserted(() -> assertThat(liveness().statusCode()).isEqualTo(200));
    }

    private static TopicPartition assigned(MessageListenerContainer container) {
        return container.getAssignedPartitions() == null ? null
                : container.getAssignedPartitions().stream().findFirst().orElse(null);
    }

    private HttpResponse<String> liveness() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/actuator/health/liveness")).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
