package dev.rlflow.resharding.store;

/** How {@link PolicyWeights#applyTo} moved a snapshot into a model. */
public enum HandOver {
  /**
   * Layouts agree (names, shapes, dtype) and so does the device: every model array was overwritten
   * in place straight from the snapshot's array, one device-local copy and no allocation.
   */
  IN_PLACE,
  /**
   * Names and shapes agree but the dtype or device differs: each tensor was cast or moved into a
   * temporary first (values rounded to the model's dtype), then copied in place.
   */
  CONVERTED
}
