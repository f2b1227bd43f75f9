"""A warm papermill engine: one kept Jupyter kernel that executes many parameterised notebooks.

``papermill.execute_notebook`` starts a kernel per notebook (≈0.7 s) and the kernel then imports
pandas, plotly and roi_kit again (≈2 s): nearly all the cost of a report. Passing papermill a
started kernel manager (``km=``) reuses the kernel but opens a new kernel client, and its zmq
sockets, per run: descriptors leak and every run gets slower.

:class:`WarmKernel` keeps ONE kernel manager and ONE kernel client, and plugs them into papermill
as an engine, so a notebook still goes through papermill's own machinery (parameter injection,
notebook and cell metadata, error markers, :class:`~papermill.exceptions.PapermillExecutionError`);
only the kernel start is skipped. Between notebooks the kernel is reset (``%reset -f``, execution
counter back to 1, working folder restored, per-report plotly state restored), so the executed
notebook, and the HTML exported from it, is the one a cold run gives.
"""

from __future__ import annotations

import ast
import functools
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import nbformat
import papermill
from jupyter_client.manager import KernelManager
from nbclient.exceptions import DeadKernelError
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import Engine, papermill_engines
from papermill.exceptions import PapermillExecutionError

from roi_kit.batch import kernel_state
from roi_kit.board.export import KERNEL_ARGS  # no IPython history (no case in ~/.ipython)
from roi_kit.errors import ReportError

ENGINE_NAME = "roi_kit-warm"

#: Seconds a kept kernel may take to reset between notebooks before it is replaced (a reset
#: takes a few hundredths of a second; a kernel killed or stuck used to stall the batch 60 s).
RESET_TIMEOUT = 10.0

#: Run in the kernel between notebooks, outside history (``store_history=False``):
#: :func:`roi_kit.batch.kernel_state.reset`.
_RESET = '__import__("roi_kit.batch.kernel_state", fromlist=["_"]).reset({cwd!r})\n'

#: Run in the kernel once it starts: :func:`roi_kit.batch.kernel_state.start_up`.
_STARTUP = """\
__import__("roi_kit._io", fromlist=["_"]).skip_iri_format_check()
__import__("roi_kit.batch.kernel_state", fromlist=["_"]).start_up({modules!r})
"""


def notebook_imports(nb: nbformat.NotebookNode) -> tuple[str, ...]:
    """The modules a notebook's code cells import, in order of first appearance.

    Lines that are IPython magics or shell escapes are skipped; a cell that is not Python is
    ignored. Used to import them once, when the kernel starts, instead of once per report.
    """
    names: dict[str, None] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(
            line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))
        )
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(dict.fromkeys(alias.name for alias in node.names))
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names[node.module] = None
                # ``from pkg import mod`` may name a submodule: try it too (a failed try is skipped)
                names.update(dict.fromkeys(f"{node.module}.{a.name}" for a in node.names))
    return tuple(names)


class WarmKernel:
    """One kept kernel that executes notebooks one after another through papermill.

    >>> with WarmKernel(preload=("roi_kit",)) as kernel:          # doctest: +SKIP
    ...     nb = kernel.execute("notebooks/roi_case.ipynb", {"case_path": "emea.yaml"})

    ``execute`` returns the executed notebook; a failing cell raises
    :class:`papermill.exceptions.PapermillExecutionError` with the executed notebook (error
    marker included) attached as ``.notebook``. A kernel that dies is restarted for the next run.
    """

    def __init__(
        self,
        *,
        kernel_name: str = "python3",
        cwd: str | os.PathLike[str] | None = None,
        preload: Iterable[str] = ("roi_kit",),
        startup_timeout: float = 60,
        timeout: float | None = 600,
    ):
        self.kernel_name = kernel_name
        self.cwd = str(Path(cwd or os.getcwd()).resolve())
        self.preload = tuple(preload)
        self.startup_timeout = startup_timeout
        self.timeout = timeout
        self.km: KernelManager | None = None
        self.kc = None
        self.runs = 0
        self.last_notebook: nbformat.NotebookNode | None = None
        self._sockets = ""

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> WarmKernel:
        """Start the kernel and its one client, and import ``preload`` in it once."""
        if self.km is not None:
            return self
        # IPC sockets in a private folder: no TCP ports, and no "running over TCP" warning.
        self._sockets = tempfile.mkdtemp(prefix="roi-kit-kernel-")
        km = KernelManager(
            kernel_name=self.kernel_name, transport="ipc", ip=os.path.join(self._sockets, "k")
        )
        km.start_kernel(cwd=self.cwd, extra_arguments=list(KERNEL_ARGS))
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=self.startup_timeout)
        except BaseException:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
            raise
        kc.allow_stdin = False
        self.km, self.kc = km, kc
        self._run_silently(_STARTUP.format(modules=self.preload))
        return self

    def shutdown(self) -> None:
        """Stop the client's channels and the kernel (idempotent)."""
        km, kc = self.km, self.kc
        self.km = self.kc = None
        if kc is not None:
            kc.stop_channels()
        if km is not None and km.has_kernel:
            self._stop_kernel(km)
        if self._sockets:
            shutil.rmtree(self._sockets, ignore_errors=True)
            self._sockets = ""

    @staticmethod
    def _stop_kernel(km: Any) -> None:
        km.shutdown_kernel(now=True)

    def restart(self) -> None:
        """Replace a dead or stuck kernel with a fresh one."""
        self.shutdown()
        self.start()

    def __enter__(self) -> WarmKernel:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    # -- running ------------------------------------------------------------------------------
    def reset(self) -> None:
        """Clear the user namespace and per-report state so the next notebook starts clean
        (a kernel that does not answer within :data:`RESET_TIMEOUT` seconds is replaced)."""
        self._run_silently(_RESET.format(cwd=self.cwd), timeout=RESET_TIMEOUT)

    def execute(
        self,
        notebook: str | os.PathLike[str],
        parameters: Mapping[str, Any] | None = None,
    ) -> nbformat.NotebookNode:
        """Execute ``notebook`` with ``parameters`` through papermill on the kept kernel.

        ``notebook`` is a path (papermill records it in the notebook's metadata). The executed
        notebook is returned, never written: the caller writes it once.
        """
        self.start()
        if self.runs:
            if self.km is None or not self.km.is_alive():
                self.restart()  # killed since the last notebook: waiting on it would stall
            else:
                try:
                    self.reset()
                except (DeadKernelError, RuntimeError, TimeoutError):
                    self.restart()
        self.runs += 1
        self.last_notebook = None
        try:
            return papermill.execute_notebook(
                str(notebook),
                None,
                parameters=dict(parameters or {}),
                engine_name=ENGINE_NAME,
                kernel_name=self.kernel_name,
                request_save_on_cell_execute=False,
                progress_bar=False,
                cwd=self.cwd,
                execution_timeout=self.timeout,
                warm_kernel=self,
            )
        except PapermillExecutionError as error:
            # papermill marked the failing cell in the notebook it was running: keep it for audit
            error.notebook = self.last_notebook
            raise
        except DeadKernelError as error:
            self.shutdown()
            raise ReportError(f"the kernel died while executing the notebook: {error}") from error
        except TimeoutError as error:
            self.shutdown()
            raise ReportError(f"a notebook cell ran longer than {self.timeout} s") from error

    def _run_silently(self, code: str, timeout: float | None = None) -> None:
        """Run ``code`` in the kernel outside the history; raise if it fails."""
        assert self.kc is not None
        reply = self.kc.execute_interactive(
            code,
            silent=True,
            store_history=False,
            timeout=timeout or self.startup_timeout,
            output_hook=lambda msg: None,
        )
        if reply["content"].get("status") != "ok":
            content = reply["content"]
            raise RuntimeError(
                f"kernel set-up failed: {content.get('ename')}: {content.get('evalue')}"
            )


class InProcessKernel(WarmKernel):
    """A kept kernel inside this process (ipykernel's in-process kernel), for local workers.

    A local worker runs nothing but its reports, so the kernel needs no process of its own: it
    starts in under a tenth of a second instead of two (no interpreter start, no second import of
    pandas, plotly and roi_kit; a worker forked from the command line has them already), and a
    cell's outputs reach papermill without a socket. Papermill still executes and records every
    notebook through the same engine; between notebooks the shell is reset as a kept kernel is.

    What a separate process gave, the worker's owner provides: a notebook that kills the kernel
    kills the worker (the batch reports that unit failed and starts a new worker), and a cell that
    never ends is stopped by the batch's time limit on the unit (an in-process kernel cannot be
    interrupted). One per process: IPython's shell is a singleton, so Dask workers, whose tasks
    run on threads, keep :class:`WarmKernel`.
    """

    def start(self) -> InProcessKernel:
        if self.km is not None:
            return self
        from traitlets.config import Config

        km = in_process_manager()(config=Config({"HistoryManager": {"enabled": False}}))
        km.start_kernel()
        kc = km.client()
        kc.start_channels()
        kc.allow_stdin = False
        self.km, self.kc = km, kc
        kernel_state.start_up(self.preload)
        return self

    @staticmethod
    def _stop_kernel(km: Any) -> None:
        km.shutdown_kernel()  # stops its I/O thread; there is no process to kill

    def reset(self) -> None:
        """As :data:`_RESET` does in a kernel of its own, called directly on the shell."""
        assert self.km is not None
        kernel_state.reset(self.cwd, self.km.kernel.shell)

    def execute(self, notebook, parameters=None):
        """As :meth:`WarmKernel.execute`; the working folder is restored afterwards (this
        process's own, which the notebook shares)."""
        here = os.getcwd()
        try:
            return super().execute(notebook, parameters)
        finally:
            os.chdir(here)
            if self.runs == 1:
                # what the first report loaded (plotly's validators, the exporter's templates,
                # the model's tables) stays for good: out of the collector's way, %reset's two
                # full collections per report take a millisecond instead of twenty
                import gc

                gc.collect()
                gc.freeze()


@functools.cache
def in_process_manager() -> type:
    """ipykernel's in-process kernel manager, with a kernel that addresses printed text to its
    cell and waits on nothing it need not.

    * ipykernel's in-process kernel tells its streams which cell is running only outside the
      cell: printed text went out addressed to no cell, and papermill dropped it (a kernel of its
      own does not). The kernel here addresses its streams to the cell first.
    * Every message the kernel sent (a cell's status, its outputs, printed text) went through
      ipykernel's I/O thread: each one a hand-over to that thread, each flush a wait for it, and
      both streams are flushed after every cell, written to or not. The kernel here never starts
      that thread; ipykernel's I/O object then sends in the calling thread, so each message is in
      the client's queue, in the order sent, when the call returns. Printed text is kept until
      the cell displays something (IPython flushes the streams first) or ends (ipykernel flushes
      them before the reply), so it stays in order with the cell's other outputs; a stream with
      nothing kept returns from a flush at once.
    * ipykernel sleeps half a millisecond before every reply, against a flush it has seen lost
      between processes; here a flush returns once its text is sent.

    ``tests/batch/test_kernel.py`` checks that the outputs papermill records are those of a kernel
    in a process of its own. A notebook of 18 empty cells took 76–81 ms before, 27–44 ms after
    (the machine's noise is that wide).
    """
    # a report kernel is never debugged: without debugpy ipykernel starts with no debugger (its
    # import was 0.04-0.1 s of each worker's first report, and it warned about frozen modules)
    sys.modules.setdefault("debugpy", None)
    from ipykernel.inprocess.ipkernel import InProcessKernel as Kernel
    from ipykernel.inprocess.manager import InProcessKernelManager
    from ipykernel.iostream import IOPubThread, OutStream
    from traitlets import Float, default

    class Stream(OutStream):
        def _schedule_flush(self) -> None:
            self._flush_pending = True  # sent by the next flush: no timer on the I/O loop

        def flush(self) -> None:
            # (a forked child's text is sent as it is written: ipykernel schedules that flush
            # on the I/O thread, which here means at once)
            if self._flush_pending:
                super().flush()

    class ReportKernel(Kernel):
        _execute_sleep = Float(0.0)

        @default("iopub_thread")
        def _default_iopub_thread(self):
            return IOPubThread(self._underlying_iopub_socket, session=self.session)  # not started

        @default("stdout")
        def _default_stdout(self):
            return Stream(self.session, self.iopub_thread, "stdout", watchfd=False)

        @default("stderr")
        def _default_stderr(self):
            return Stream(self.session, self.iopub_thread, "stderr", watchfd=False)

        async def execute_request(self, stream, ident, parent):
            self.stdout.set_parent(parent)
            self.stderr.set_parent(parent)
            await super().execute_request(stream, ident, parent)

    class Manager(InProcessKernelManager):
        def start_kernel(self, **kwargs):
            self.kernel = ReportKernel(parent=self, session=self.session)

    return Manager


class WarmEngine(Engine):
    """A papermill engine that runs the notebook on a :class:`WarmKernel`'s kept kernel."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        *,
        warm_kernel: WarmKernel,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        **kwargs,
    ):
        """Execute ``nb_man.nb`` with papermill's client bound to the kept kernel and client."""
        client = PapermillNotebookClient(
            nb_man,
            km=warm_kernel.km,
            kernel_name=kernel_name,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        client.kc = warm_kernel.kc
        warm_kernel.last_notebook = nb_man.nb
        return client.execute(cleanup_kc=False)


papermill_engines.register(ENGINE_NAME, WarmEngine)
