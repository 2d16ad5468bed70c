/**
 * The policy as operators use it: {@link dev.rlflow.jobs.policy.PolicyRuntime} loads a checkpoint
 * with its tokenizer, {@link dev.rlflow.jobs.policy.PromptFormat} is how a problem is put to it,
 * {@link dev.rlflow.jobs.policy.PolicyCompleter} continues solution prefixes for Monte Carlo
 * estimates (OmegaPRM's label searches, vineppo's step values).
 */
package dev.rlflow.jobs.policy;
