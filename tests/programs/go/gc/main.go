// gc: heavy allocation, maps, slices and explicit runtime.GC with finalizer-free checks.
package main

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
)

type node struct {
	left, right *node
	val         int
}

func build(depth int) *node {
	if depth == 0 {
		return &node{val: 1}
	}
	return &node{left: build(depth - 1), right: build(depth - 1), val: depth}
}

func (n *node) count() int {
	if n == nil {
		return 0
	}
	return 1 + n.left.count() + n.right.count()
}

func main() {
	total := 0
	for i := 0; i < 20; i++ {
		t := build(14)
		total += t.count()
	}
	fmt.Println("tree nodes built:", total)

	m := make(map[string][]int)
	for i := 0; i < 50000; i++ {
		k := fmt.Sprintf("k%d", i%997)
		m[k] = append(m[k], i)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Println("map keys:", len(keys), keys[0], keys[len(keys)-1], len(m["k5"]))
	delete(m, "k5")
	fmt.Println("after delete:", len(m))

	var bufs [][]byte
	for i := 0; i < 200; i++ {
		bufs = append(bufs, make([]byte, 64*1024))
		if len(bufs) > 20 {
			bufs = bufs[1:]
		}
	}
	fmt.Println("buffers kept:", len(bufs))

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	fmt.Println("GC cycles ran:", after.NumGC >= before.NumGC+2)

	var sb strings.Builder
	for i := 0; i < 10000; i++ {
		sb.WriteString("ab")
	}
	fmt.Println("builder length:", sb.Len())
}
