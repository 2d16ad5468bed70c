package dev.rlflow.rollout;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Autograd switched off on the current thread until closed, then restored. PyTorch's grad mode is
 * per thread and executor threads start with it on; without this every forward would record a graph
 * that keeps its activations alive.
 */
final class InferenceMode implements AutoCloseable {
  private final boolean previous;

  private InferenceMode(boolean previous) {
    this.previous = previous;
  }

  static InferenceMode enter() {
    Engine.getInstance(); // loads the native library before any JniUtils call
    boolean previous = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    return new InferenceMode(previous);
  }

  @Override
  public void close() {
    JniUtils.setGradMode(previous);
  }
}
