package emeroteca;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * One OpenSearch node on loopback, with the Netty HTTP and transport layers and the common
 * analysis plugin taken from the classpath (the way the test framework's MockNode loads them),
 * running until the process is told to stop.
 *
 * <p>Arguments: HOME NODE_NAME HTTP_PORT TRANSPORT_PORT SEED_HOSTS MANAGER_NODES, where
 * SEED_HOSTS are the transport addresses of every node (comma-separated) and MANAGER_NODES the
 * names of the nodes that elect the first cluster manager. With one node, the cluster is a
 * single-node one.
 */
public final class OpenSearchNode {
    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println(
                    "usage: OpenSearchNode HOME NODE_NAME HTTP_PORT TRANSPORT_PORT SEED_HOSTS MANAGER_NODES");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        List<String> managers = List.of(args[5].split(","));
        Settings.Builder settings = Settings.builder()
                .put("cluster.name", "emeroteca-test")
                .put("node.name", args[1])
                .put("path.home", home.toString())
                .put("path.data", home.resolve("data").toString())
                .put("path.logs", home.resolve("logs").toString())
                .put("network.host", "127.0.0.1")
                .put("http.port", args[2])
                .put("transport.port", args[3])
                // A test machine's disk may be fuller than the watermarks allow; shards go anyway.
                .put("cluster.routing.allocation.disk.threshold_enabled", false);
        if (managers.size() == 1) {
            settings.put("discovery.type", "single-node");
        } else {
            settings.putList("discovery.seed_hosts", List.of(args[4].split(",")))
                    .putList("cluster.initial_cluster_manager_nodes", managers);
        }

        Node node = new ClasspathNode(settings.build(), args[1]);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }));
        node.start();
        stopped.await();
    }

    /** A node whose plugins come from the classpath rather than a `plugins/` folder. */
    private static final class ClasspathNode extends Node {
        private static final Collection<Class<? extends Plugin>> PLUGINS =
                List.of(Netty4Plugin.class, CommonAnalysisPlugin.class);

        ClasspathNode(Settings settings, String name) {
            super(InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> name), PLUGINS, true);
        }
    }
}
