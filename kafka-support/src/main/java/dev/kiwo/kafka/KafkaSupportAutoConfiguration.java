package dev.kiwo.kafka;

import dev.kiwo.model.TopicLayout;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * kiwo's Kafka start-up behaviour, the same in every service: the topic layout ({@code kiwo.topics.*}) declared
 * once, created only when {@code kiwo.topics.manage} is true, and checked at start-up by {@link KafkaStartupCheck}
 * with the {@link DeclaredTopics} and {@link NewTopic} beans of the service.
 * Spring Kafka's {@link KafkaAdmin} creates and modifies no topic: it would add partitions to a topic with fewer
 * than declared, which moves keys (jobIds) to other partitions.
 */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
@EnableConfigurationProperties(TopicOwnershipProperties.class)
public class KafkaSupportAutoConfiguration {

    /** The layout every service declares; services add topics of their own as {@link DeclaredTopics} beans. */
    @Bean
    @ConditionalOnMissingBean
    TopicLayout kiwoTopicLayout(Environment environment) {
        return Binder.get(environment).bind("kiwo.topics", TopicLayout.class).orElse(TopicLayout.DEFAULTS);
    }

    @Bean
    DeclaredTopics kiwoTopics(TopicLayout layout) {
        return new DeclaredTopics(layout.newTopics());
    }

    /** Leaves every declared topic to {@link KafkaStartupCheck}: KafkaAdmin neither creates nor grows one. */
    @Bean
    static BeanPostProcessor kafkaAdminLeavesTopicsToTheStartupCheck() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String beanName) {
                if (bean instanceof KafkaAdmin admin) {
                    admin.setAutoCreate(false);
                    admin.setCreateOrModifyTopic(topic -> false);
                    admin.setModifyTopicConfigs(false);
                }
                return bean;
            }
        };
    }

    @Bean
    @ConditionalOnBean(KafkaAdmin.class)
    KafkaStartupCheck kafkaStartupCheck(KafkaAdmin admin, ObjectProvider<NewTopic> topics,
            ObjectProvider<DeclaredTopics> topicGroups, TopicOwnershipProperties ownership) {
        return new KafkaStartupCheck(admin.getConfigurationProperties(), () -> {
            List<NewTopic> declared = new ArrayList<>();
            topicGroups.orderedStream().forEach(group -> declared.addAll(group.topics()));
            topics.orderedStream().forEach(declared::add);
            return declared;
        }, ownership.manage(), ownership.checkTimeout());
    }
}
