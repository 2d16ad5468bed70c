package dev.rlflow.jobs.traces;

import dev.rlflow.traces.InvalidTraceException;
import dev.rlflow.traces.ProcessLabel;
import dev.rlflow.traces.TraceFiles;
import java.io.IOException;
import org.apache.avro.file.DataFileStream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * A bounded Flink source of the process labels in the Avro container files under a directory (any
 * Flink filesystem: file://, hdfs://, …), the files {@link TraceSinks} writes. Sub-directories are
 * read too; hidden files ({@code .part-…inprogress}, {@code _SUCCESS}) are skipped.
 */
public final class ProcessLabelFiles {
  private ProcessLabelFiles() {}

  /** The source over {@code directory}. */
  public static FileSource<ProcessLabel> source(Path directory) {
    return FileSource.forRecordStreamFormat(new Format(), directory).build();
  }

  /** One Avro container file is one split: its blocks are read in order from its start. */
  private static final class Format extends SimpleStreamFormat<ProcessLabel> {
    @Override
    public StreamFormat.Reader<ProcessLabel> createReader(
        Configuration config, FSDataInputStream stream) throws IOException {
      DataFileStream<ProcessLabel> labels = TraceFiles.reader(ProcessLabel.class, stream);
      return new StreamFormat.Reader<>() {
        @Override
        public ProcessLabel read() throws IOException {
          try {
            return labels.hasNext() ? labels.next() : null;
          } catch (RuntimeException e) {
            // Avro reports a truncated or corrupt block as an unchecked exception.
            throw new InvalidTraceException("corrupt Avro container block: " + e.getMessage(), e);
          }
        }

        @Override
        public void close() throws IOException {
          labels.close();
        }
      };
    }

    @Override
    public TypeInformation<ProcessLabel> getProducedType() {
      return new AvroTypeInfo<>(ProcessLabel.class);
    }
  }
}
