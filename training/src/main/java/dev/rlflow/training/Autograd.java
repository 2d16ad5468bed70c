package dev.rlflow.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.function.Supplier;

/** Opening DJL's gradient recording the way every rlflow trainer needs it. */
public final class Autograd {
  private Autograd() {}

  /**
   * A new gradient collector; only one may be open per JVM (DESIGN.md §1).
   *
   * @throws IllegalStateException if another collector is open in this JVM, with the thread's grad
   *     mode left as it was
   */
  public static GradientCollector collector() {
    Engine engine = Engine.getInstance(); // loads the native library before any JniUtils call
    boolean gradMode = JniUtils.isGradMode();
    try {
      return engine.newGradientCollector();
    } catch (IllegalStateException e) {
      JniUtils.setGradMode(gradMode); // DJL switched it on before finding the other collector
      throw new IllegalStateException(
          "Another GradientCollector is open in this JVM: train one model at a time", e);
    }
  }

  /**
   * Runs {@code work} with gradient recording off on this thread, restoring the mode afterwards.
   */
  public static <T> T withoutGradients(Supplier<T> work) {
    Engine.getInstance(); // loads the native library before any JniUtils call
    boolean gradMode = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try {
      return work.get();
    } finally {
      JniUtils.setGradMode(gradMode);
    }
  }

  /**
   * A libtorch-owned copy of an array DJL made over Java memory, which is closed: autograd keeps
   * indices, targets and masks for the backward pass, and must not keep Java memory alive (the
   * garbage collector may free it first). {@code toType(same type, copy=true)} would share the
   * memory, {@code duplicate()} does not.
   */
  public static NDArray owned(NDArray fromJava) {
    NDArray copy = fromJava.duplicate();
    fromJava.close();
    return copy;
  }
}
