package dev.jgpt.train;

import dev.jgpt.model.load.HfTensors;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Float32 tensors one after the other in one segment, as {@link AdamW} updates them: their names
 * and shapes in storage order, each at an element offset that its gradient and its moments share.
 */
public interface ParameterTensors {
    /** All values, float32 in native order. */
    MemorySegment data();

    /** Number of values. */
    int count();

    /** The tensors, in storage order. */
    List<HfTensors.Spec> specs();

    /** Element offset of tensor number {@code index} of {@link #specs()}. */
    int offset(int index);
}
