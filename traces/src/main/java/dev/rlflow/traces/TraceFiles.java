package dev.rlflow.traces;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro container files of traces over plain streams: the schema in the file header, records in
 * deflate-compressed blocks (labels of one question repeat its text and prefix steps, which
 * compresses well, and deflate needs no library beyond the JDK). rlflow's Flink file sink writes
 * through {@link #writer}, so what it writes and what {@link #reader} reads agree.
 */
public final class TraceFiles {
  /** zlib's default trade-off between size and speed. */
  private static final int DEFLATE_LEVEL = 6;

  private TraceFiles() {}

  /**
   * Starts a container file of {@code type} records on {@code out}: its header is written now, each
   * {@code append} adds a record, {@code flush} ends a block, and {@code close} closes {@code out}.
   */
  public static <T extends SpecificRecord> DataFileWriter<T> writer(Class<T> type, OutputStream out)
      throws IOException {
    DataFileWriter<T> writer = new DataFileWriter<>(new SpecificDatumWriter<>(type));
    writer.setCodec(CodecFactory.deflateCodec(DEFLATE_LEVEL));
    return writer.create(SpecificData.getForClass(type).getSchema(type), out);
  }

  /**
   * Opens the container file on {@code in} for its {@code type} records; closing it closes {@code
   * in}.
   *
   * @throws InvalidTraceException when {@code in} is not an Avro container file, or its records are
   *     of another type
   */
  public static <T extends SpecificRecord> DataFileStream<T> reader(Class<T> type, InputStream in)
      throws IOException {
    Schema expected = SpecificData.getForClass(type).getSchema(type);
    DataFileStream<T> records;
    try {
      records = new DataFileStream<>(in, new SpecificDatumReader<>(type));
    } catch (IOException e) {
      in.close();
      throw new InvalidTraceException(
          "Not an Avro container file of " + expected.getFullName() + ": " + e.getMessage(), e);
    }
    String found = records.getSchema().getFullName();
    if (!found.equals(expected.getFullName())) {
      records.close();
      throw new InvalidTraceException(
          "The container file holds " + found + " records, not " + expected.getFullName());
    }
    return records;
  }
}
