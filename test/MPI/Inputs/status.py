"""Runs a command, copies its output, then prints "exit status: N" and
exits 0 (so that a test can check a job that must fail, and how)."""
import subprocess
import sys

r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
sys.stdout.write(r.stdout.decode(errors="replace"))
print(f"exit status: {r.returncode}")
