package dev.rlflow.jobs.runner;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.blob.TransientBlobService;
import org.apache.flink.runtime.dispatcher.DispatcherGateway;
import org.apache.flink.runtime.dispatcher.DispatcherRestEndpoint;
import org.apache.flink.runtime.dispatcher.SessionDispatcherFactory;
import org.apache.flink.runtime.dispatcher.runner.DefaultDispatcherRunnerFactory;
import org.apache.flink.runtime.entrypoint.component.DefaultDispatcherResourceManagerComponentFactory;
import org.apache.flink.runtime.entrypoint.component.DispatcherResourceManagerComponentFactory;
import org.apache.flink.runtime.leaderelection.LeaderElection;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.resourcemanager.ResourceManagerGateway;
import org.apache.flink.runtime.resourcemanager.StandaloneResourceManagerFactory;
import org.apache.flink.runtime.rest.RestEndpointFactory;
import org.apache.flink.runtime.rest.handler.RestHandlerConfiguration;
import org.apache.flink.runtime.rest.handler.RestHandlerSpecification;
import org.apache.flink.runtime.rest.handler.legacy.files.StaticFileServerHandler;
import org.apache.flink.runtime.rest.handler.legacy.metrics.MetricFetcher;
import org.apache.flink.runtime.rpc.FatalErrorHandler;
import org.apache.flink.runtime.webmonitor.WebMonitorEndpoint;
import org.apache.flink.runtime.webmonitor.retriever.LeaderGatewayRetriever;
import org.apache.flink.shaded.netty4.io.netty.channel.ChannelInboundHandler;
import org.apache.hadoop.util.ShutdownHookManager;

/**
 * The embedded MiniCluster, with or without Flink's web dashboard.
 *
 * <p>Flink 2.2 serves the dashboard whenever {@code flink-runtime-web} is on the class path and has
 * no option to turn it off; rlflow's jar always carries it. Without the dashboard, this cluster
 * builds its REST endpoint with the dashboard's static-file handler left out: the REST API stays
 * (jobs are submitted through it, as to a remote cluster) and stays bound to {@code localhost}.
 */
final class EmbeddedCluster extends MiniCluster {
  private final boolean webUi;

  EmbeddedCluster(MiniClusterConfiguration configuration, boolean webUi) {
    super(configuration);
    this.webUi = webUi;
    // Hadoop's shutdown-hook thread keeps the context class loader of the thread that first
    // touches Hadoop. Were that a task thread here, its loader (Flink's user-code one) would be
    // closed when the JVM exits, and the hook would fail with "Trying to access closed
    // classloader": touch it on this, the client's, thread.
    ShutdownHookManager.get();
  }

  @Override
  protected DispatcherResourceManagerComponentFactory
      createDispatcherResourceManagerComponentFactory() {
    if (webUi) {
      return super.createDispatcherResourceManagerComponentFactory();
    }
    return new DefaultDispatcherResourceManagerComponentFactory(
        DefaultDispatcherRunnerFactory.createSessionRunner(SessionDispatcherFactory.INSTANCE),
        StandaloneResourceManagerFactory.getInstance(),
        new ApiOnlyEndpointFactory());
  }

  /** Creates the session REST endpoint Flink creates, minus the dashboard. */
  private static final class ApiOnlyEndpointFactory
      implements RestEndpointFactory<DispatcherGateway> {
    @Override
    public WebMonitorEndpoint<DispatcherGateway> createRestEndpoint(
        Configuration configuration,
        LeaderGatewayRetriever<DispatcherGateway> dispatcher,
        LeaderGatewayRetriever<ResourceManagerGateway> resourceManager,
        TransientBlobService blobs,
        ScheduledExecutorService executor,
        MetricFetcher metrics,
        LeaderElection leaderElection,
        FatalErrorHandler fatalErrorHandler)
        throws Exception {
      RestHandlerConfiguration handlers = RestHandlerConfiguration.fromConfiguration(configuration);
      return new DispatcherRestEndpoint(
          dispatcher,
          configuration,
          handlers,
          resourceManager,
          blobs,
          executor,
          metrics,
          leaderElection,
          RestEndpointFactory.createExecutionGraphCache(handlers),
          fatalErrorHandler) {
        @Override
        protected List<Tuple2<RestHandlerSpecification, ChannelInboundHandler>> initializeHandlers(
            CompletableFuture<String> localAddressFuture) {
          List<Tuple2<RestHandlerSpecification, ChannelInboundHandler>> all =
              super.initializeHandlers(localAddressFuture);
          all.removeIf(handler -> handler.f1 instanceof StaticFileServerHandler);
          return all;
        }
      };
    }
  }
}
