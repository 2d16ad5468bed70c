/**
 * The files a run leaves in its run directory for people to read: {@code metrics.csv} ({@link
 * dev.rlflow.jobs.report.MetricsTable}), {@code eval.json} ({@link
 * dev.rlflow.jobs.report.EvalResult}), {@code summary.json} ({@link
 * dev.rlflow.jobs.report.RunSummary}) and the self-contained {@code report.html} drawn from them
 * ({@link dev.rlflow.jobs.report.ReportWriter}).
 *
 * <p>Every file is written whole through Flink's {@link org.apache.flink.core.fs.FileSystem}, so a
 * run directory may be on {@code file://} or {@code hdfs://}.
 */
package dev.rlflow.jobs.report;
