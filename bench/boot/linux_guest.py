"""Debian's Linux kernel as a guest in the same QEMU that boots VectraOS: the baseline of
`./vectra bench boot` and `./vectra bench ipc`. Finds the installed kernel for an architecture,
installs it when missing (linux-image-amd64; linux-image-arm64 from the arm64 foreign
architecture), and builds the QEMU command from the same per-architecture settings as VectraOS
(host/qemu/qemu.py's ARCHITECTURES), differing only in the kernel, initramfs and command line."""
import glob
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "host", "qemu"))
import qemu  # noqa: E402

# Debian's names: the /boot glob, the package, and the dpkg architecture it is built for.
KERNELS = {
    "x86_64": {"glob": "/boot/vmlinuz-*-amd64", "package": "linux-image-amd64", "dpkg_arch": "amd64"},
    "aarch64": {"glob": "/boot/vmlinuz-*-arm64", "package": "linux-image-arm64", "dpkg_arch": "arm64"},
}
CONSOLE = {"x86_64": "console=ttyS0", "aarch64": "console=ttyAMA0"}
APT_LOCK_WAIT = ["-o", "DPkg::Lock::Timeout=600"]  # other installs may hold the lock a while


def installed_kernel(arch):
    """The newest installed Debian kernel image for `arch`, or None."""
    def version_key(path):
        return [(0, int(part), "") if part.isdigit() else (1, 0, part)
                for part in os.path.basename(path).replace("-", ".").split(".")]
    found = sorted(glob.glob(KERNELS[arch]["glob"]), key=version_key)
    return found[-1] if found else None


def _as_root(command):
    if os.geteuid() == 0:
        return command
    if not shutil.which("sudo"):
        raise RuntimeError(f"need root (or sudo) to run: {' '.join(command)}")
    return ["sudo", *command]


def _run(command, say):
    say("running: " + " ".join(command))
    environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    result = subprocess.run(_as_root(command), env=environment, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        tail = "\n".join(result.stdout.splitlines()[-15:])
        raise RuntimeError(f"{' '.join(command)} failed with status {result.returncode}:\n{tail}")


def _native_dpkg_arch():
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()


def ensure_kernel(arch, say=lambda message: print(f"vectra: {message}", file=sys.stderr, flush=True)):
    """Returns the path of a Debian kernel for `arch`, installing the package when none is in
    /boot. Raises RuntimeError saying why when that cannot be done (no apt, no root, no network)."""
    found = installed_kernel(arch)
    if found:
        return found
    if not shutil.which("apt-get") or not shutil.which("dpkg"):
        raise RuntimeError(f"no Debian kernel for {arch} in /boot and no apt-get to install "
                           f"{KERNELS[arch]['package']}")
    spec = KERNELS[arch]
    package = spec["package"]
    if spec["dpkg_arch"] != _native_dpkg_arch():
        foreign = subprocess.run(["dpkg", "--print-foreign-architectures"], capture_output=True,
                                 text=True, check=True).stdout.split()
        if spec["dpkg_arch"] not in foreign:
            _run(["dpkg", "--add-architecture", spec["dpkg_arch"]], say)
        package += ":" + spec["dpkg_arch"]
    say(f"no Debian kernel for {arch} in /boot: installing {package} for the Linux baseline")
    _run(["apt-get", *APT_LOCK_WAIT, "update", "-q"], say)
    _run(["apt-get", *APT_LOCK_WAIT, "install", "-y", "-q", "--no-install-recommends", package], say)
    found = installed_kernel(arch)
    if not found:
        raise RuntimeError(f"{package} installed, but no {spec['glob']} appeared")
    return found


def qemu_command(arch, accel, kernel, append, initrd=None, smp=2, memory="512M", extra=()):
    """The QEMU command line VectraOS gets from qemu.qemu_command (same machine, CPU model,
    memory and CPU count), booting `kernel` instead, its console on the serial port."""
    spec = qemu.ARCHITECTURES[arch]
    command = [spec["qemu"], *spec["machine"], "-accel", accel, "-cpu", spec["cpu"][accel],
               "-smp", str(smp), "-m", memory, "-kernel", kernel, "-no-reboot",
               "-append", f"{CONSOLE[arch]} {append}".strip(),
               "-display", "none", "-serial", "stdio", "-monitor", "none", *extra]
    if initrd:
        command[command.index("-append"):command.index("-append")] = ["-initrd", initrd]
    return command
