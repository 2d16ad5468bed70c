/** The rewards of sampled responses: the outcome verifier's and the PRM's step rewards. */
package dev.rlflow.reward.response;
