/**
 * The run report: {@link dev.rlflow.jobs.report.ReportWriter} renders the self-contained {@code
 * report.html} from what a run directory holds ({@code summary.json}, {@code metrics.csv}, {@code
 * eval.json}, {@code config.yaml}). This package only reads results and renders them; the jobs that
 * produce the results own their types.
 */
package dev.rlflow.jobs.report;
