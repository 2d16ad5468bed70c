/**
 * The records every stage of a run adds to its run directory: {@code metrics.csv} ({@link
 * dev.rlflow.jobs.run.MetricsTable}), {@code summary.json} ({@link dev.rlflow.jobs.run.RunSummary})
 * with its stage names ({@link dev.rlflow.jobs.run.StageName}), and {@link
 * dev.rlflow.jobs.run.RunFiles}, which writes every such file whole.
 *
 * <p>Every file is written whole through Flink's {@link org.apache.flink.core.fs.FileSystem}, so a
 * run directory may be on {@code file://} or {@code hdfs://}.
 */
package dev.rlflow.jobs.run;
