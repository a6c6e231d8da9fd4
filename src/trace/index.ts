// Trace file I/O: streaming pcap/pcapng readers (zero-copy batches for the engine, packet
// iterators for everyone else) and pcapng/pcap writers.

export { type ByteSink, FdSink, FunctionSink, MemorySink, StreamSink } from './byte-sink.js';
export { type ByteSource, FdSource, MemorySource } from './byte-source.js';
export { isKnownLinkType, type KnownLinkType, LinkType, linkTypeName } from './link-type.js';
export { DEFAULT_BATCH_CAPACITY, PacketBatch, PacketFlag } from './packet-batch.js';
export type { PcapHeader } from './pcap-decoder.js';
export { PcapWriter, type PcapWriterOptions } from './pcap-writer.js';
export {
  type PacketWriteOptions,
  PcapngWriter,
  type PcapngWriterOptions,
  type WriterInterface,
} from './pcapng-writer.js';
export {
  formatTraceProblems,
  type TraceProblem,
  type TraceProblemKind,
  type TraceProblems,
} from './problems.js';
export type { PacketBlockWalker, TraceFormat } from './record-decoder.js';
export type { TimestampResolution, TimestampScale } from './timestamp.js';
export type { TraceInterface } from './trace-interface.js';
export type { TracePacket } from './trace-packet.js';
export {
  DEFAULT_CHUNK_SIZE,
  DEFAULT_MAX_RECORD_LENGTH,
  openTrace,
  TraceReader,
  type TraceReaderOptions,
  type TraceSummary,
  traceFromBytes,
} from './trace-reader.js';
