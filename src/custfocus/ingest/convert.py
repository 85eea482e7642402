"""Converting a table's chunks while the importer reads and writes the next ones.

Why processes for big tables: names, streets and tax ids are normalised once per distinct
value by Python functions, which hold the GIL, so a second thread adds nothing. When a
table fills more than one chunk and its first chunk shows that converting costs more than
moving the rows to another process would, the remaining chunks are converted in worker
processes (one per core); otherwise in a thread, overlapping the reading and writing.
Either way the batches come back in file order and are identical.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from itertools import chain

from custfocus.ingest.readers.table import Chunk
from custfocus.ingest.rows import Batch, RowConverter

__all__ = ["ChunkConverter", "default_workers"]

# CPU seconds per row above which a chunk is worth shipping to a worker process. Measured:
# a marketing list converts at about 7 µs a row and gains nothing from processes, customer
# masters with names, addresses and tax ids at 35-90 µs a row and gain 1.5x on two cores.
PROCESS_SECONDS_PER_ROW = 15e-6
# Starting the workers costs a few seconds (each imports Python, Arrow and custfocus), so
# the rest of the table must promise at least this much conversion work.
PROCESS_MIN_SECONDS = 8.0


def default_workers() -> int:
    """One worker process per core the machine lets this process use, at most four."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def _convert(converter: RowConverter, chunk: Chunk) -> Batch:
    return converter.convert(chunk)


def _timed(converter: RowConverter, chunk: Chunk) -> tuple[Batch, float]:
    started = time.thread_time()
    return converter.convert(chunk), time.thread_time() - started


class ChunkConverter:
    """Converts chunks in order; worker processes start on the first table that needs them.

    Use as a context manager so the processes stop with the import.
    """

    def __init__(self, workers: int | None = None):
        self.workers = default_workers() if workers is None else max(1, workers)
        self._processes: ProcessPoolExecutor | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="custfocus-convert")

    def __enter__(self) -> ChunkConverter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._thread.shutdown(cancel_futures=True)
        if self._processes is not None:
            self._processes.shutdown(cancel_futures=True)
            self._processes = None

    def converted(self, converter: RowConverter, chunks: Iterable[Chunk], chunk_size: int,
                  row_estimate: int | None = None) -> Iterator[Batch]:
        """The batches of ``chunks`` in order; the next ones convert while one is written.

        ``row_estimate`` (the table's size, if known) tells whether the rows after the
        first chunk are worth starting worker processes for.
        """
        chunks = iter(chunks)
        first = next(chunks, None)
        if first is None:
            return
        if self.workers > 1 and len(first) >= chunk_size and row_estimate:
            batch, seconds = self._thread.submit(_timed, converter, first).result()
            yield batch
            per_row = seconds / len(first)
            left = (row_estimate - len(first)) * per_row
            if per_row >= PROCESS_SECONDS_PER_ROW and (
                    self._processes is not None or left >= PROCESS_MIN_SECONDS):
                yield from _pipelined(self._pool(), _portable(converter), chunks,
                                      self.workers + 1)
                return
        else:
            chunks = chain([first], chunks)
        yield from _pipelined(self._thread, converter, chunks, 2)

    def _pool(self) -> ProcessPoolExecutor:
        if self._processes is None:
            # spawn, not fork: the parent holds DuckDB's threads, which fork would copy
            # in whatever state they were in.
            self._processes = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"))
        return self._processes


def _pipelined(executor: Executor, converter: RowConverter, chunks: Iterator[Chunk],
               ahead: int) -> Iterator[Batch]:
    """Keep up to ``ahead`` chunks converting; hand the batches back in order."""
    pending: deque[Future[Batch]] = deque()
    try:
        for chunk in chunks:
            pending.append(executor.submit(_convert, converter, chunk))
            if len(pending) >= ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()


def _portable(converter: RowConverter) -> RowConverter:
    """The converter without the reader's file handles and closures, so it can be pickled."""
    from custfocus.ingest.readers.table import _no_rows

    plan = dataclasses.replace(converter.plan, table=dataclasses.replace(
        converter.plan.table, _row_factory=_no_rows, _chunk_factory=None))
    return RowConverter(plan)
