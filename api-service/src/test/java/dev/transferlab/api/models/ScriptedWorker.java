package dev.transferlab.api.models;

import dev.transferlab.common.messages.InferenceRequest;
import dev.transferlab.common.messages.InferenceResult;
import dev.transferlab.common.messages.Messages;
import dev.transferlab.common.messages.Topics;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReply;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Stands in for a trainer-worker on the real broker, for what the api-service does around a prediction: it reads the
 * requests from the end of the topic on, keeps them, and answers each with {@code answer}'s result on the reply topic
 * the request names, with its correlation id, as a worker's answer travels.
 */
final class ScriptedWorker implements AutoCloseable {
    final List<InferenceRequest> requests = new CopyOnWriteArrayList<>();
    private final KafkaConsumer<String, String> consumer;
    private final KafkaProducer<String, String> producer;
    private final Thread thread;
    private volatile boolean running = true;

    ScriptedWorker(String bootstrap, Function<InferenceRequest, InferenceResult> answer) {
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()));
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()));
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.INFERENCE_REQUESTS).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolves the end now, before any request is sent
        thread = new Thread(() -> {
            while (running) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    InferenceRequest request = Messages.fromJson(record.value(), InferenceRequest.class);
                    requests.add(request);
                    String replyTopic = new String(record.headers()
                            .lastHeader(KafkaRequestReply.DEFAULT_REPLY_TOPIC_HEADER).value(), StandardCharsets.UTF_8);
                    ProducerRecord<String, String> reply = new ProducerRecord<>(replyTopic, record.key(),
                            Messages.toJson(answer.apply(request)));
                    // The correlation id alone: a record that names a reply topic is a request, not a reply.
                    reply.headers().add(record.headers()
                            .lastHeader(KafkaRequestReply.DEFAULT_REPLY_CORRELATION_ID_HEADER));
                    producer.send(reply);
                }
            }
        }, "scripted-worker");
        thread.start();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
        consumer.close();
        producer.close();
    }
}
