"""What the benchmark scripts share: peak memory of a measurement process, a memory cap, and running one
measurement in its own process (an out-of-memory death becomes a reported measurement)."""
import json, resource, subprocess


def imagenet_names(n_classes: int) -> list[str]:
    """`n_classes` of ImageNet's class names (open_clip's list), evenly spaced: a prompt's cost depends on its length
    (3.2 tokens on average, 12 at most). The list repeats two names; their second copies are marked."""
    from open_clip.zero_shot_metadata import IMAGENET_CLASSNAMES
    seen, names = set(), []
    for name in IMAGENET_CLASSNAMES:
        names.append(f"{name} (2)" if name.lower() in seen else name)
        seen.add(name.lower())
    return names[:: max(1, len(names) // n_classes)][:n_classes]


def peak_memory_mb(device) -> float:
    "Peak memory of this process: CUDA's allocator peak on a GPU, else the process's own resident high-water mark."
    import torch
    if device.type == "cuda": return torch.cuda.max_memory_allocated(device) / 2**20
    try:  # VmHWM: this process's own peak (ru_maxrss would include the parent's peak, which survives exec on Linux)
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) for l in f if l.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cap_memory(cap_gb: float, device):
    "On a CPU, cap this process's address space so that running out of memory is an error, not a dead machine."
    if cap_gb and device.type == "cpu":
        cap = int(cap_gb * 2**30); resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def run_worker(cmd: list, cap_gb: float) -> dict:
    "Run one measurement process; its last stdout line is a JSON dict. Out of memory → seconds nan, peak inf, a note."
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode == 0: return json.loads(r.stdout.strip().splitlines()[-1])
    if any(m in r.stderr for m in ("MemoryError", "DefaultCPUAllocator", "out of memory")) or r.returncode in (-9, 137):
        return dict(seconds=float("nan"), peak_mb=float("inf"), note=f"out of memory (cap {cap_gb or 'none'} GB)")
    raise RuntimeError(r.stderr[-2000:])
