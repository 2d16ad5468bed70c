package dev.rlflow.jobs.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The embedded cluster with and without Flink's web dashboard. */
class JobRunnerITCase {
  private static final Pattern ADDRESS = Pattern.compile("(http://localhost:\\d+)");

  @Test
  void theDashboardIsServedByDefault() throws Exception {
    StringWriter log = new StringWriter();
    try (JobRunner runner = new JobRunner(1, true, new PrintWriter(log, true))) {
      assertThat(squares(runner)).containsExactly(1L, 4L, 9L);
      URI rest = address(log, "Flink web UI: ");
      HttpResponse<String> page = get(rest.resolve("/"));
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).containsIgnoringCase("<html");
      assertThat(get(rest.resolve("/v1/overview")).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void withoutTheWebUiOnlyTheRestApiAnswers() throws Exception {
    StringWriter log = new StringWriter();
    try (JobRunner runner = new JobRunner(1, false, new PrintWriter(log, true))) {
      assertThat(squares(runner)).containsExactly(1L, 4L, 9L);
      URI rest = address(log, "Flink REST API (web UI off): ");
      assertThat(log.toString()).doesNotContain("Flink web UI");
      assertThat(get(rest.resolve("/")).statusCode()).isEqualTo(404);
      assertThat(get(rest.resolve("/index.html")).statusCode()).isEqualTo(404);
      HttpResponse<String> overview = get(rest.resolve("/v1/overview"));
      assertThat(overview.statusCode()).isEqualTo(200);
      assertThat(overview.body()).contains("\"jobs-finished\":1");
    }
  }

  /** A job submitted through the runner, so the cluster has run something. */
  private static List<Long> squares(JobRunner runner) throws Exception {
    List<Long> out = new ArrayList<>();
    runner.collect("squares", env -> env.fromData(1L, 2L, 3L).map(x -> x * x), out::add);
    out.sort(Long::compare);
    return out;
  }

  private static URI address(StringWriter log, String prefix) {
    String line =
        log.toString().lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
    Matcher m = ADDRESS.matcher(line);
    assertThat(m.find()).as(line).isTrue();
    return URI.create(m.group(1));
  }

  private static HttpResponse<String> get(URI uri) throws Exception {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
  }
}
