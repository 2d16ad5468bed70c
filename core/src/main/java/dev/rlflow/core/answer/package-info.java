/**
 * Final answers: finding them in a completion ({@link dev.rlflow.core.answer.AnswerExtractor}),
 * comparing them exactly ({@link dev.rlflow.core.answer.AnswerEquivalence}), cutting solutions into
 * steps ({@link dev.rlflow.core.answer.StepSplitter}) and the outcome verifier built on them
 * ({@link dev.rlflow.core.answer.AnswerVerifier}).
 */
package dev.rlflow.core.answer;
