package dev.rlflow.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A standalone Flink session cluster as separate JVMs, started the way Flink's {@code
 * jobmanager.sh} and {@code taskmanager.sh} start them: memory flags from Flink's {@code
 * BashJavaUtils}, then {@code StandaloneSessionClusterEntrypoint} and {@code TaskManagerRunner}
 * with {@code --configDir}, the class path being {@code lib/*}. {@link #flinkRun} is the {@code
 * flink} command ({@code CliFrontend} with {@code FLINK_CONF_DIR}).
 */
final class StandaloneCluster implements AutoCloseable {
  /** What Flink's default config.yaml passes to every JVM on Java 17 (env.java.opts.all). */
  static final List<String> OPENS =
      Arrays.stream(
              ("java.lang java.net java.io java.nio sun.nio.ch java.lang.reflect java.text java.time"
                      + " java.util java.util.concurrent java.util.concurrent.atomic"
                      + " java.util.concurrent.locks")
                  .split(" "))
          .map(p -> "--add-opens=java.base/" + p + "=ALL-UNNAMED")
          .toList();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path lib;
  private final List<Path> hadoopClasspath;
  private final Path dir;
  private final URI rest;
  private final List<Process> processes = new ArrayList<>();

  private StandaloneCluster(Path lib, List<Path> hadoopClasspath, Path dir, URI rest) {
    this.lib = lib;
    this.hadoopClasspath = List.copyOf(hadoopClasspath);
    this.dir = dir;
    this.rest = rest;
  }

  /**
   * Starts a JobManager and {@code taskManagers} TaskManagers (2 slots each) with {@code lib} as
   * Flink's {@code lib/}, configuration and logs under {@code dir}; returns once every TaskManager
   * has registered.
   */
  static StandaloneCluster start(Path lib, Path dir, int taskManagers) throws Exception {
    return start(lib, List.of(), dir, taskManagers, 2);
  }

  /**
   * {@link #start(Path, Path, int)} with {@code slots} per TaskManager and {@code hadoopClasspath}
   * after {@code lib/} on every process's class path, as Flink's scripts add {@code
   * HADOOP_CLASSPATH}: what Flink's own FileSystem needs for {@code hdfs://}.
   */
  static StandaloneCluster start(
      Path lib, List<Path> hadoopClasspath, Path dir, int taskManagers, int slots)
      throws Exception {
    Files.createDirectories(dir.resolve("conf"));
    Files.createDirectories(dir.resolve("log"));
    int rpcPort = freePort();
    int restPort = freePort();
    Files.writeString(
        dir.resolve("conf/config.yaml"),
        String.join(
            "\n",
            "jobmanager.rpc.address: localhost",
            "jobmanager.rpc.port: " + rpcPort,
            "jobmanager.bind-host: localhost",
            "jobmanager.memory.process.size: 1g",
            "rest.address: localhost",
            "rest.bind-address: localhost",
            "rest.port: " + restPort,
            "taskmanager.host: localhost",
            "taskmanager.bind-host: localhost",
            "taskmanager.numberOfTaskSlots: " + slots,
            "taskmanager.memory.process.size: 2g",
            "taskmanager.memory.managed.fraction: 0.05",
            ""));
    Files.writeString(
        dir.resolve("conf/log4j.properties"),
        String.join(
            "\n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.file.ref = MainAppender",
            "appender.main.name = MainAppender",
            "appender.main.type = File",
            "appender.main.fileName = ${sys:log.file}",
            "appender.main.layout.type = PatternLayout",
            "appender.main.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-40c{1} %x - %m%n",
            ""));
    StandaloneCluster cluster =
        new StandaloneCluster(
            lib, hadoopClasspath, dir, URI.create("http://localhost:" + restPort));
    try {
      cluster.launch(
          "jobmanager",
          "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
          "GET_JM_RESOURCE_PARAMS");
      for (int i = 0; i < taskManagers; i++) {
        cluster.launch(
            "taskmanager-" + i,
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
            "GET_TM_RESOURCE_PARAMS");
      }
      cluster.awaitTaskManagers(taskManagers);
      return cluster;
    } catch (Exception | AssertionError e) {
      cluster.close();
      throw e;
    }
  }

  /** The REST endpoint, for {@code --jobmanager} and the REST API. */
  URI rest() {
    return rest;
  }

  /** {@code host:port} of the REST endpoint. */
  String jobManager() {
    return rest.getHost() + ":" + rest.getPort();
  }

  /** The cluster's jobs, name → status (CREATED, RUNNING, FINISHED, FAILED …), in any order. */
  List<Map.Entry<String, String>> jobs() throws Exception {
    List<Map.Entry<String, String>> jobs = new ArrayList<>();
    for (JsonNode job : get("/jobs/overview").path("jobs")) {
      jobs.add(Map.entry(job.path("name").asText(), job.path("state").asText()));
    }
    return jobs;
  }

  /**
   * {@code flink run JAR ARGS…}: Flink's command-line client with this cluster's configuration and
   * {@code lib/} as its class path.
   */
  Run flinkRun(Path jar, String... args) throws Exception {
    List<String> command = new ArrayList<>(javaCommand());
    command.add("-Xmx512m");
    command.add("-cp");
    command.add(classPath());
    command.add("org.apache.flink.client.cli.CliFrontend");
    command.add("run");
    command.add(jar.toString());
    command.addAll(List.of(args));
    return Run.of(command, Map.of("FLINK_CONF_DIR", dir.resolve("conf").toString()), dir);
  }

  /** The last lines of every process's log, for a failing assertion's message. */
  String logTails() {
    StringBuilder tails = new StringBuilder();
    try (var logs = Files.list(dir.resolve("log"))) {
      for (Path log : logs.sorted().toList()) {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        tails.append("==> ").append(log.getFileName()).append('\n');
        lines
            .subList(Math.max(0, lines.size() - 40), lines.size())
            .forEach(line -> tails.append(line).append('\n'));
      }
    } catch (IOException e) {
      tails.append("(logs unreadable: ").append(e).append(")\n");
    }
    return tails.toString();
  }

  @Override
  public void close() throws InterruptedException {
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).destroy();
    }
    for (Process process : processes) {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    processes.clear();
  }

  private void launch(String name, String mainClass, String resourceParams) throws Exception {
    String[] params = memoryParams(resourceParams);
    List<String> command = new ArrayList<>(javaCommand());
    command.addAll(List.of(params[0].trim().split("\\s+")));
    command.add("-Dlog.file=" + dir.resolve("log/" + name + ".log"));
    command.add("-Dlog4j.configurationFile=" + dir.resolve("conf/log4j.properties").toUri());
    command.add("-cp");
    command.add(classPath());
    command.add(mainClass);
    command.add("--configDir");
    command.add(dir.resolve("conf").toString());
    if (!params[1].isBlank()) {
      command.addAll(List.of(params[1].trim().split("\\s+")));
    }
    File out = dir.resolve("log/" + name + ".out").toFile();
    processes.add(
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out).start());
  }

  /**
   * What Flink's scripts get from {@code BashJavaUtils}: the JVM's memory flags and the dynamic
   * properties ({@code -D key=value} pairs) that fix the process's memory budget.
   */
  private String[] memoryParams(String command) throws Exception {
    List<String> java = new ArrayList<>(javaCommand());
    java.addAll(
        List.of(
            "-cp",
            classPath(),
            "org.apache.flink.runtime.util.bash.BashJavaUtils",
            command,
            "--configDir",
            dir.resolve("conf").toString()));
    Run run = Run.of(java, Map.of(), dir);
    List<String> results =
        run.output()
            .lines()
            .filter(line -> line.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
            .map(line -> line.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()))
            .toList();
    if (run.exitValue() != 0 || results.size() < 2) {
      throw new AssertionError("BashJavaUtils " + command + " failed:\n" + run.output());
    }
    return new String[] {results.get(0), results.get(1)};
  }

  private void awaitTaskManagers(int expected) throws Exception {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      for (Process process : processes) {
        if (!process.isAlive()) {
          throw new AssertionError(
              "a cluster process exited with " + process.exitValue() + ":\n" + logTails());
        }
      }
      try {
        if (get("/overview").path("taskmanagers").asInt() == expected) {
          return;
        }
      } catch (IOException notYet) {
        // the REST endpoint is not up yet
      }
      processes.get(0).waitFor(250, TimeUnit.MILLISECONDS); // or until the JobManager dies
    }
    throw new AssertionError(
        "the cluster did not start in " + START_TIMEOUT.toSeconds() + " s:\n" + logTails());
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(rest.resolve(path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  /** {@code lib/*}, then the Hadoop class path. */
  private String classPath() {
    List<String> entries = new ArrayList<>();
    entries.add(lib.resolve("*").toString());
    hadoopClasspath.forEach(p -> entries.add(p.toString()));
    return String.join(File.pathSeparator, entries);
  }

  private static List<String> javaCommand() {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(OPENS);
    return command;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** A finished process and everything it printed (stdout and stderr together). */
  record Run(int exitValue, String output) {
    static Run of(List<String> command, Map<String, String> env, Path dir) throws Exception {
      File log = Files.createTempFile(dir, "run", ".log").toFile();
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().putAll(env);
      Process process = builder.redirectOutput(log).start();
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError("did not finish in 5 minutes: " + command);
      }
      return new Run(process.exitValue(), Files.readString(log.toPath(), StandardCharsets.UTF_8));
    }
  }
}
