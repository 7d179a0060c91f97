/**
 * A real terminal for a test's "caller" (python3's pty module): argv[2:]
 * runs on a pty's slave (33 rows, 111 columns); argv[1] is JSON
 * [[text, send], ...]: once the output shows text, send is typed. Prints
 * what the terminal showed; exits as the child (killed, with a line saying
 * which step never came, when the terminal stays silent for 45 s). Run it as
 * `python3 -c PTY_DRIVER STEPS CMD...`.
 */
import { cliPath } from './host';

export const PTY_DRIVER = `import json, os, pty, select, signal, struct, sys, fcntl, termios, time
steps = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', 33, 111, 0, 0))
    os.execvp(sys.argv[2], sys.argv[2:])
out, seen = b'', 0
deadline = time.monotonic() + 45
while True:
    if not select.select([fd], [], [], max(0, deadline - time.monotonic()))[0]:
        # Stuck: say what the terminal showed and which step never came, instead of hanging the test.
        out += b'\\nPTY-DRIVER: no output for the step ' + json.dumps(steps[:1]).encode() + b' within 45 s\\n'
        os.kill(pid, signal.SIGKILL)
        break
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    while steps and out.find(steps[0][0].encode(), seen) >= 0:
        seen = out.find(steps[0][0].encode(), seen) + len(steps[0][0])
        os.write(fd, steps.pop(0)[1].encode())
sys.stdout.write(out.decode(errors='replace'))
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
`;

/** The caller's shell on that terminal: runs tscompose ARGS, then reads the next line from its terminal (what a TIOCSTI would have typed into it). */
export const callerShell = (args: string[]) => ['sh', '-c', '"$@"; echo "rc=$?"; read -r line; echo "after:$line"', 'caller', process.execPath, cliPath, ...args];
