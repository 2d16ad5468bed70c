package dev.rlflow.jobs.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.FlinkUserCodeClassLoader;

/**
 * Checks, before a run's first job, that a Flink cluster can run rlflow's operators: DJL reachable
 * from the job's class loader through the cluster's {@code lib/}, not from the job jar, and its
 * PyTorch engine loading on a TaskManager.
 *
 * <p>Why: DJL's native library loads once per JVM. DJL inside the job jar loads it in the job's
 * class loader, and the next job's class loader then fails with {@code UnsatisfiedLinkError: Native
 * Library … already loaded in another classloader}; DJL missing from {@code lib/} fails inside
 * Flink with errors that do not name it ({@code Could not serialize stream nodes}). Both are caught
 * here with a message that names the jars and the README section.
 *
 * <p>The probe job carries no DJL type in its graph, so it runs where DJL is missing; it costs one
 * small job per command on a cluster and none on the embedded MiniCluster, whose JVM is the
 * client's.
 */
public final class ClusterCheck {
  /** Where the README explains a cluster's set-up. */
  static final String README = "README.md, section \"On a Flink cluster\"";

  /** Class or resource of each DJL jar, by its key in {@code djl-jars.properties}. */
  private static final List<String[]> MARKERS =
      List.of(
          new String[] {"api", "ai/djl/engine/Engine.class"},
          new String[] {"pytorch-engine", "ai/djl/pytorch/engine/PtEngine.class"},
          new String[] {"pytorch-jni", "jnilib/pytorch.properties"},
          new String[] {"tokenizers", "ai/djl/huggingface/tokenizers/HuggingFaceTokenizer.class"},
          new String[] {"gson", "com/google/gson/Gson.class"},
          new String[] {"jna", "com/sun/jna/Native.class"});

  private ClusterCheck() {}

  /**
   * Maven coordinates of the jars a cluster's {@code lib/} needs besides Flink's: DJL of this
   * build's versions and the libraries it brings that Flink lacks.
   */
  public static List<String> requiredJars() {
    Properties jars = coordinates();
    return java.util.stream.Stream.of(
            "api", "pytorch-engine", "pytorch-jni", "pytorch-native", "tokenizers", "gson", "jna")
        .map(jars::getProperty)
        .toList();
  }

  /**
   * What keeps {@code loader} from running rlflow's operators: DJL jars missing from it, or DJL
   * loaded by a Flink job class loader (the job jar bundles it); empty when neither.
   */
  public static Optional<String> classPathProblem(ClassLoader loader) {
    Properties jars = coordinates();
    List<String> missing = new ArrayList<>();
    for (String[] marker : MARKERS) {
      if (loader.getResource(marker[1]) == null) {
        missing.add(jars.getProperty(marker[0]));
      }
    }
    if (!missing.isEmpty()) {
      return Optional.of(
          "DJL is not on the cluster's class path: missing "
              + String.join(", ", missing)
              + ". Put these jars and "
              + jars.getProperty("pytorch-native")
              + " (or the PyTorch native jar of the TaskManagers' platform) in Flink's lib/ on"
              + " every JobManager and TaskManager, then restart them; see "
              + README
              + ".");
    }
    try {
      Class<?> engine = Class.forName("ai.djl.engine.Engine", false, loader);
      if (engine.getClassLoader() instanceof FlinkUserCodeClassLoader) {
        return Optional.of(
            "The job jar bundles DJL (ai.djl.*), so each job would load PyTorch's native library"
                + " in its own class loader, which fails from the second job on. Submit"
                + " rlflow-flink.jar, not rlflow.jar, and keep DJL in Flink's lib/; see "
                + README
                + ".");
      }
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("ai/djl/engine/Engine.class is present but not loadable", e);
    }
    return Optional.empty();
  }

  /**
   * What keeps DJL's PyTorch engine from loading in this JVM through {@code loader}, or empty once
   * it has loaded (it stays loaded: the jobs that follow use it).
   */
  static Optional<String> engineProblem(ClassLoader loader) {
    try {
      Class.forName("ai.djl.engine.Engine", true, loader)
          .getMethod("getEngine", String.class)
          .invoke(null, "PyTorch");
      return Optional.empty();
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      while (cause.getCause() != null && cause.getCause() != cause) {
        cause = cause.getCause();
      }
      return Optional.of(
          "DJL's PyTorch engine does not load on the TaskManager: "
              + cause
              + ". Flink's lib/ needs "
              + coordinates().getProperty("pytorch-native")
              + " or the PyTorch native jar of the TaskManagers' platform (a GPU build, or"
              + " PYTORCH_LIBRARY_PATH pointing at a matching libtorch); see "
              + README
              + ".");
    } catch (ReflectiveOperationException e) {
      return Optional.of("DJL's Engine class is not what rlflow was built with: " + e);
    }
  }

  /**
   * Fails with a {@link ClusterSetupException} when the cluster behind {@code env} cannot run
   * rlflow's operators: first in this JVM's class loader (under {@code flink run} the client's
   * class path is the cluster's {@code lib/} plus the job jar), then, when {@code env} is attached
   * to its jobs, in a one-record probe job on a TaskManager.
   */
  static void verify(StreamExecutionEnvironment env) throws Exception {
    Optional<String> local = classPathProblem(ClusterCheck.class.getClassLoader());
    if (local.isPresent()) {
      throw new ClusterSetupException(local.get());
    }
    if (!env.getConfiguration().get(DeploymentOptions.ATTACHED)) {
      return; // a detached client cannot wait for a probe's result
    }
    env.setParallelism(1);
    try (CloseableIterator<String> answers =
        env.fromData(0).map(new Probe()).executeAndCollect("rlflow cluster check")) {
      while (answers.hasNext()) {
        String answer = answers.next();
        if (!answer.isEmpty()) {
          throw new ClusterSetupException(answer);
        }
      }
    }
  }

  /** Runs on a TaskManager: the class path check, then the engine. Empty when both pass. */
  private static final class Probe implements MapFunction<Integer, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String map(Integer ignored) {
      ClassLoader loader = Probe.class.getClassLoader();
      return classPathProblem(loader).or(() -> engineProblem(loader)).orElse("");
    }
  }

  private static Properties coordinates() {
    Properties jars = new Properties();
    try (InputStream in = ClusterCheck.class.getResourceAsStream("djl-jars.properties")) {
      if (in == null) {
        throw new IllegalStateException("djl-jars.properties is missing from rlflow's jar");
      }
      jars.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return jars;
  }
}
