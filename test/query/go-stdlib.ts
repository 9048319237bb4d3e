/**
 * A small Go program built once per test run, so tests compare with Go's own standard library:
 * time.ParseDuration, time.Parse(RFC3339Nano), fmt's %.Nf and %.Ng, and text/tabwriter with
 * kubectl's settings.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SOURCE = `package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "tabwriter" {
		// k8s.io/cli-runtime/pkg/printers.GetNewTabWriter: minwidth 6, tabwidth 4, padding 3, ' '.
		w := tabwriter.NewWriter(os.Stdout, 6, 4, 3, ' ', 0)
		io.Copy(w, os.Stdin)
		w.Flush()
		return
	}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		kind, value, _ := strings.Cut(sc.Text(), " ")
		switch kind {
		case "duration":
			d, err := time.ParseDuration(value)
			if err != nil {
				fmt.Println("error")
			} else {
				fmt.Println(int64(d))
			}
		case "f", "g":
			// value: "<precision> <float64 bits in hex>"
			p, bits, _ := strings.Cut(value, " ")
			prec, _ := strconv.Atoi(p)
			b, _ := strconv.ParseUint(bits, 16, 64)
			fmt.Printf("%.*"+kind+"\\n", prec, math.Float64frombits(b))
		case "rfc3339":
			t, err := time.Parse(time.RFC3339Nano, value)
			if err != nil {
				fmt.Println("error")
			} else {
				fmt.Println(t.UnixMilli())
			}
		}
	}
}
`;

let binary: string | undefined;

/** Builds the helper with /usr/bin/go (standard library only, no network). */
export function goHelper(): string {
  if (binary === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'kprofefe-gohelper-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'main.go'), SOURCE);
    execFileSync('go', ['build', '-o', join(dir, 'helper'), join(dir, 'main.go')], { cwd: dir, stdio: 'pipe' });
    binary = join(dir, 'helper');
  }
  return binary;
}

function runHelper(args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(goHelper(), args, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    child.stdin!.end(input);
  });
}

/** Go's time.ParseDuration for each value: nanoseconds as a decimal string, or 'error'. */
export async function goParseDurations(values: readonly string[]): Promise<string[]> {
  const out = await runHelper([], values.map((v) => `duration ${v}\n`).join(''));
  return out.trimEnd().split('\n');
}

/** Go's fmt.Sprintf("%.{precision}{verb}", x) for each x. */
export async function goFormatFloats(verb: 'f' | 'g', precision: number, values: readonly number[]): Promise<string[]> {
  const view = new DataView(new ArrayBuffer(8));
  const lines = values.map((x) => {
    view.setFloat64(0, x);
    return `${verb} ${precision} ${view.getBigUint64(0).toString(16)}\n`;
  });
  const out = await runHelper([], lines.join(''));
  return out.trimEnd().split('\n');
}

/** Go's time.Parse(time.RFC3339Nano, value) as Unix milliseconds, or 'error'. */
export async function goParseRfc3339(values: readonly string[]): Promise<string[]> {
  const out = await runHelper([], values.map((v) => `rfc3339 ${v}\n`).join(''));
  return out.trimEnd().split('\n');
}

/** What Go's text/tabwriter with kubectl's settings prints for tab-separated lines. */
export function goTabwriter(text: string): Promise<string> {
  return runHelper(['tabwriter'], text);
}
