// readfile: reads a mounted file given as the argument (os.ReadFile, bufio line scanning,
// os.Stat) and reports errors for a missing file.
package main

import (
	"bufio"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Println("usage: readfile FILE")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Printf("bytes: %d sha256: %x\n", len(data), sha256.Sum256(data))
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Println("open error:", err)
		os.Exit(1)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	lines, longest := 0, 0
	for sc.Scan() {
		lines++
		longest = max(longest, len(sc.Text()))
	}
	fmt.Println("lines:", lines, "longest:", longest, "scan error:", sc.Err())
	st, err := os.Stat(os.Args[1])
	fmt.Println("stat size matches:", err == nil && st.Size() == int64(len(data)), "regular:", st.Mode().IsRegular())
	_, err = os.ReadFile("/definitely/not/here")
	fmt.Println("missing file is ErrNotExist:", errors.Is(err, fs.ErrNotExist))
}
