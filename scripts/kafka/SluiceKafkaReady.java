// Readiness probe for the test broker started by scripts/kafka/broker.mjs.
//
//   java -cp <kafka classpath>:<classes> SluiceKafkaReady BOOTSTRAP DEADLINE_MS [TOPIC]
//
// Polls with Kafka's own Admin client until the cluster can be described (a broker and an
// active controller are known) AND a topic can be created and deleted, or until DEADLINE_MS
// have passed. Prints one line: "READY cluster=<id> ..." (exit 0) or "NOT READY: <last error>"
// (exit 1). Compiled once per Kafka version into the harness cache; uses only the public Admin
// API, which is the same in Kafka 3.x and 4.x.
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

public final class SluiceKafkaReady {
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: SluiceKafkaReady BOOTSTRAP DEADLINE_MS [TOPIC]");
      System.exit(2);
    }
    String bootstrap = args[0];
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[1]));
    String topic = args.length > 2 ? args[2] : "__sluice_ready";

    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "sluice-ready");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
    p.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "100");
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "50");
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "250");

    Throwable last = null;
    int attempts = 0;
    try (Admin admin = Admin.create(p)) {
      while (attempts == 0 || System.nanoTime() < deadline) {
        attempts++;
        try {
          DescribeClusterResult cluster = admin.describeCluster();
          String clusterId = cluster.clusterId().get(5, TimeUnit.SECONDS);
          Collection<Node> nodes = cluster.nodes().get(5, TimeUnit.SECONDS);
          Node controller = cluster.controller().get(5, TimeUnit.SECONDS);
          if (nodes.isEmpty()) throw new IllegalStateException("describeCluster returned no brokers");
          if (controller == null || controller.isEmpty()) throw new IllegalStateException("no active controller yet");
          try {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(10, TimeUnit.SECONDS);
          } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) throw e;
          }
          try {
            admin.deleteTopics(List.of(topic)).all().get(10, TimeUnit.SECONDS);
          } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) throw e;
          }
          System.out.println("READY cluster=" + clusterId + " brokers=" + nodes.size()
              + " controller=" + controller.id() + " attempts=" + attempts);
          return;
        } catch (ExecutionException e) {
          last = e.getCause() != null ? e.getCause() : e;
        } catch (Exception e) {
          last = e;
        }
        Thread.sleep(200);
      }
    }
    System.out.println("NOT READY after " + attempts + " attempts: " + last);
    System.exit(1);
  }
}
