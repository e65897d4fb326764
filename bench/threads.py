"""CPU threads under contention: `coop_nb_demo --quick` on a machine where another process is busy.

Each setting runs the demo in its own process while a competing process keeps every core busy with matrix
products (what a second notebook or job does on a shared machine). Settings:

- `torch default`: PyTorch's own choice (one thread per core, OpenMP's default spin-waiting), the baseline;
- `passive wait`: one thread per core, OpenMP's threads sleeping when idle (`OMP_WAIT_POLICY=PASSIVE`);
- `--threads 1`, which is also `coop_nb_demo`'s default.

Prints the wall time of each and its ratio to the baseline, measured in this run.

    python bench/threads.py                 # with a competing load
    python bench/threads.py --no-load       # on an idle machine
"""
import argparse, os, subprocess, sys, tempfile, time

LOAD = """
import torch
torch.set_num_threads(os.cpu_count())
a = torch.randn(1024, 1024)
while True: a @ a
"""


def timed_demo(env_extra: dict, args: list[str], out: str) -> float:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "COOP_NB_THREADS")}
    env.update(env_extra, MPLBACKEND="Agg")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from coop_nb.experiments.cli import demo_main; demo_main()", "--quick", "--out", out, *args], env=env,
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--no-load", action="store_true", help="no competing process")
    p.add_argument("--only", nargs="+", help="run only these settings (the baseline always runs)")
    a = p.parse_args()
    settings = {"torch default": ({"COOP_NB_THREADS": "torch"}, []),
                "passive wait": ({"OMP_WAIT_POLICY": "PASSIVE", "COOP_NB_THREADS": "torch"}, []),
                "--threads 1": ({"COOP_NB_THREADS": "torch"}, ["--threads", "1"])}
    if a.only: settings = {k: v for k, v in settings.items() if k == "torch default" or k in a.only}
    load = None if a.no_load else subprocess.Popen([sys.executable, "-c", "import os\n" + LOAD])
    try:
        times = {}
        with tempfile.TemporaryDirectory() as tmp:
            for i, (name, (env, args)) in enumerate(settings.items()):
                times[name] = timed_demo(env, args, os.path.join(tmp, str(i)))
                print(f"{name:16s} {times[name]:7.1f} s", flush=True)
    finally:
        if load: load.kill()
    base = times["torch default"]
    print(f"\n{'setting':16s} {'seconds':>8s} {'vs torch default':>17s}   ({os.cpu_count()} cores, "
          f"{'idle' if a.no_load else 'one competing process on every core'})")
    for name, t in times.items(): print(f"{name:16s} {t:8.1f} {base / t:16.2f}x")
