package dev.rlflow.model.transformer;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/**
 * The parameters of one block under their Hugging Face names relative to the block ({@code
 * q_proj.weight}), with the shape each must have. Arrays are set when the model is initialised or
 * loaded, never through DJL's shape inference, so that every array comes from a seed or a
 * checkpoint.
 */
final class Weights {
  private Weights() {}

  /** How a freshly initialised parameter is filled. */
  enum Init {
    /** Normal(0, 0.02), as GPT-2 and Llama initialise projections and embeddings. */
    NORMAL,
    /** Ones: RMSNorm gains. */
    ONES,
    /** Zeros: biases. */
    ZEROS
  }

  /** A parameter with its HF-relative name, required shape and initialisation. */
  record Spec(String name, Shape shape, Init init, Parameter parameter) {}

  static Parameter parameter(String name, Init init) {
    Parameter.Type type =
        switch (init) {
          case NORMAL -> Parameter.Type.WEIGHT;
          case ONES -> Parameter.Type.GAMMA;
          case ZEROS -> Parameter.Type.BIAS;
        };
    return Parameter.builder().setName(name).setType(type).build();
  }
}
