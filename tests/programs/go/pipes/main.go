// pipes: os.Pipe between goroutines (non-blocking fds driven by the runtime's netpoller:
// epoll and an eventfd), read deadlines, and a blocking write into a full pipe.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

func main() {
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Println("pipe:", err)
		os.Exit(1)
	}
	msg := strings.Repeat("0123456789abcdef", 16*1024) // 256 KiB: more than the pipe holds
	go func() {
		n, err := w.Write([]byte(msg))
		fmt.Println("writer wrote:", n, err)
		w.Close()
	}()
	got, err := io.ReadAll(r)
	fmt.Println("reader got:", len(got), string(got) == msg, err)
	r.Close()

	r2, w2, _ := os.Pipe()
	r2.SetReadDeadline(time.Now().Add(5 * time.Millisecond))
	buf := make([]byte, 10)
	_, err = r2.Read(buf)
	fmt.Println("read deadline:", errors.Is(err, os.ErrDeadlineExceeded))
	r2.SetReadDeadline(time.Time{})
	go func() {
		time.Sleep(2 * time.Millisecond)
		w2.Write([]byte("late"))
	}()
	n, err := r2.Read(buf)
	fmt.Println("late read:", string(buf[:n]), err)
	w2.Close()
	n, err = r2.Read(buf)
	fmt.Println("after close:", n, err)
}
