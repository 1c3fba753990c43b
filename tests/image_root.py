"""A clean Debian 12 root for the image tests, and running commands in it as Gradescope would.

Gradescope builds an image from a base (Ubuntu 22.04 by default), unpacks the autograder zip
into ``/autograder/source``, runs ``setup.sh`` as root, and later runs
``/autograder/run_autograder`` as root in a Docker container with default capabilities (no
CAP_SYS_ADMIN). Here: ``debootstrap --variant=minbase`` from Debian's mirror (cached under
``CVGRADE_IMAGE_CACHE``, default /var/cache/cvgrade-image, so it costs minutes once), a
copy-on-write overlay of it per test, and every command run by ``capsh --chroot ...
--drop=cap_sys_admin`` in fresh mount and PID namespaces, with a fresh /proc and the host's
/dev and resolver (the root reaches PyPI and Debian's mirror as Gradescope's build does).
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

CACHE = Path(os.environ.get("CVGRADE_IMAGE_CACHE", "/var/cache/cvgrade-image"))
SUITE, MIRROR = "bookworm", "http://deb.debian.org/debian"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
HOST_CA = "/etc/ssl/certs/ca-certificates.crt"


def missing_tools() -> str | None:
    """Why image tests cannot run here (None when they can)."""
    if os.geteuid() != 0:
        return "image tests need root (debootstrap, chroot, overlay mounts)"
    for tool in ("debootstrap", "capsh", "unshare"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (make gradescope-test installs it)"
    return None


def base_root() -> Path:
    """The cached minimal Debian root, built once (a lock keeps two runs from racing)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    root = CACHE / f"{SUITE}-minbase"
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "usr" / "bin" / "apt-get").exists():
            partial = CACHE / f"{SUITE}-minbase.partial"
            shutil.rmtree(partial, ignore_errors=True)
            subprocess.run(["debootstrap", "--variant=minbase", SUITE, str(partial), MIRROR], check=True,
                           stdout=subprocess.DEVNULL, timeout=1800)
            shutil.rmtree(root, ignore_errors=True)
            partial.rename(root)
    return root


@contextlib.contextmanager
def fresh_root(scratch: Path) -> Iterator[Path]:
    """A writable copy-on-write view of the base root (an overlay mount), gone afterwards."""
    base = base_root()
    upper, work, merged = scratch / "upper", scratch / "work", scratch / "root"
    for folder in (upper, work, merged):
        folder.mkdir(parents=True)
    subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                    f"lowerdir={base},upperdir={upper},workdir={work}", str(merged)], check=True)
    try:
        shutil.copyfile("/etc/resolv.conf", merged / "etc" / "resolv.conf")
        # This machine reaches PyPI through a proxy with its own CA (Gradescope does not):
        # the root trusts what the host trusts, through the variables of ``run``.
        shutil.copyfile(HOST_CA, merged / "etc" / "host-ca.pem")
        yield merged
    finally:
        subprocess.run(["umount", "-l", str(merged)], check=False)


def run(root: Path, command: str, *, user: str | None = None, env: dict[str, str] | None = None,
        binds: tuple[str, ...] = (), timeout: float = 1800) -> subprocess.CompletedProcess:
    """Run ``command`` (bash) in ``root`` as a container without CAP_SYS_ADMIN would.

    ``user``: run as that account of the root (an unprivileged student) instead of root.
    ``binds``: host folders shown read-only at the same path inside.
    """
    home = f"/home/{user}" if user else "/root"
    variables = {"PATH": PATH, "HOME": home, "LANG": "C.UTF-8", "PIP_CERT": "/etc/host-ca.pem",
                 "SSL_CERT_FILE": "/etc/host-ca.pem", **(env or {})}
    inner = "env -i " + " ".join(f"{k}={shlex.quote(v)}" for k, v in variables.items())
    if user is not None:
        inner = f"setpriv --reuid={user} --regid={user} --init-groups {inner}"
    mounts = ["mount --make-rprivate /", f"mount -t proc proc {root}/proc", f"mount --rbind /dev {root}/dev"]
    for folder in binds:
        mounts += [f"mkdir -p {root}{folder}", f"mount --bind {folder} {root}{folder}",
                   f"mount -o remount,bind,ro {root}{folder}"]
    script = " && ".join(mounts) + (f" && exec capsh --chroot={root} --drop=cap_sys_admin -- -c "
                                     f"{shlex.quote(f'cd / && exec {inner} bash -c {shlex.quote(command)}')}")
    return subprocess.run(["unshare", "--mount", "--pid", "--fork", "--kill-child", "bash", "-c", script],
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                          env={"PATH": PATH})
