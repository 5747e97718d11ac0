"""Analysts open the notebooks in JupyterLab from the venv: the server serves them and starts a kernel."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from helpers import ROOT

pytestmark = pytest.mark.notebook
TOKEN = "wsisanalysis-test-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _call(url, method="GET", body=None):
    request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
        return json.loads(text) if text else None


@contextlib.contextmanager
def _serve(root, runtime_dir):
    """A JupyterLab server over `root` on a free local port; yields its base URL."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False", "--allow-root"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**__import__("os").environ, "JUPYTER_RUNTIME_DIR": str(runtime_dir)},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                _call(f"{base}/api/status")
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start within 60 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def lab(tmp_path):
    with _serve(ROOT, tmp_path) as base:
        yield base


async def _execute(base: str, kernel_id: str, code: str) -> str:
    """Send one execute_request over the kernel's websocket and return what it printed."""
    import uuid

    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    url = base.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels"
    conn = await websocket_connect(
        HTTPRequest(url, headers={"Authorization": f"token {TOKEN}"}, connect_timeout=20)
    )
    msg_id = uuid.uuid4().hex
    conn.write_message(json.dumps({
        "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex, "msg_type": "execute_request", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell",
        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {}, "allow_stdin": False},
    }))  # fmt: skip
    printed = ""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        raw = await conn.read_message()
        if raw is None:
            break
        msg = json.loads(raw)
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            printed += msg["content"]["text"]
        # the reply (shell) can overtake the output (iopub) on the websocket: the kernel going
        # idle on iopub comes after every output of the request
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    conn.close()
    return printed


def test_jupyterlab_serves_the_notebooks_and_starts_a_kernel(lab):
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    listing = _call(f"{lab}/api/contents/notebooks")
    names = {item["name"] for item in listing["content"]}
    assert {"20-regional-coverage.ipynb", "runs.toml"} <= names
    kernel = _call(f"{lab}/api/kernels", "POST", {"name": "python3"})
    try:
        # a fresh thread: another test's browser session may own this thread's event loop
        with ThreadPoolExecutor(max_workers=1) as pool:
            printed = pool.submit(
                asyncio.run,
                _execute(
                    lab, kernel["id"], "import wsisanalysis; print(wsisanalysis.__version__)"
                ),
            ).result()
        assert printed.strip() == __import__("wsisanalysis").__version__
    finally:
        _call(f"{lab}/api/kernels/{kernel['id']}", "DELETE")


async def _run_cells(base: str, kernel_id: str, sources: list[str]) -> list[dict]:
    """Execute cells in order over one websocket; return each cell's reply status and error."""
    import uuid

    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    url = base.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels"
    conn = await websocket_connect(
        HTTPRequest(url, headers={"Authorization": f"token {TOKEN}"}, connect_timeout=20)
    )
    session, replies = uuid.uuid4().hex, []
    for source in sources:
        msg_id = uuid.uuid4().hex
        conn.write_message(json.dumps({
            "header": {"msg_id": msg_id, "username": "test", "session": session, "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": source, "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False},
        }))  # fmt: skip
        reply: dict = {"printed": ""}
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            raw = await conn.read_message()
            if raw is None:
                break
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                reply["printed"] += msg["content"]["text"]
            if msg["msg_type"] == "error":
                reply["error"] = f"{msg['content']['ename']}: {msg['content']['evalue']}"
            if msg["msg_type"] == "execute_reply":
                reply["status"] = msg["content"]["status"]
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                reply["idle"] = True
            if "status" in reply and reply.get("idle"):  # the reply and every output are in
                break
        replies.append(reply)
        if reply.get("status") != "ok":
            break
    conn.close()
    return replies


@pytest.fixture
def shipped_project(tmp_path_factory, clean_dir):
    """The project as an analyst has it after `make report`: notebooks, and the demo cleaned
    into data/interim/demo (the notebooks' default data_dir)."""
    import shutil

    project = tmp_path_factory.mktemp("shipped")
    shutil.copytree(ROOT / "notebooks", project / "notebooks")
    shutil.copytree(clean_dir, project / "data" / "interim" / "demo")
    return project


@pytest.fixture
def lab_in(shipped_project, tmp_path):
    with _serve(shipped_project, tmp_path) as base:
        yield base


def test_every_notebook_runs_with_its_defaults_in_jupyterlab(lab_in, shipped_project):
    """As an analyst opens them: a session per notebook (so the kernel starts in notebooks/, as
    JupyterLab starts it), every code cell in order, parameters left at their defaults."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    import nbformat

    notebooks = sorted((shipped_project / "notebooks").glob("*.ipynb"))
    assert len(notebooks) >= 5
    for path in notebooks:
        rel = path.relative_to(shipped_project).as_posix()
        session = _call(f"{lab_in}/api/sessions", "POST",
                        {"path": rel, "type": "notebook", "name": path.name, "kernel": {"name": "python3"}})  # fmt: skip
        cells = [
            c.source for c in nbformat.read(str(path), as_version=4).cells if c.cell_type == "code"
        ]
        try:
            with ThreadPoolExecutor(max_workers=1) as pool:
                replies = pool.submit(
                    asyncio.run,
                    _run_cells(
                        lab_in, session["kernel"]["id"], ["import os; print(os.getcwd())", *cells]
                    ),
                ).result()
        finally:
            _call(f"{lab_in}/api/sessions/{session['id']}", "DELETE")
        assert Path(replies[0]["printed"].strip()).samefile(shipped_project / "notebooks"), (
            "JupyterLab starts the kernel beside the notebook"
        )
        failed = [r for r in replies if r.get("status") != "ok"]
        assert not failed, f"{path.name}: {failed[0].get('error')}"
        assert len(replies) == len(cells) + 1
