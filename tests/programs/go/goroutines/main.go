// goroutines: channels, select, sync.Mutex, sync.WaitGroup, sync.Once and a worker pool.
// Output never depends on the interleaving.
package main

import (
	"fmt"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
)

func pipeline() {
	src := make(chan int)
	sq := make(chan int, 4)
	go func() {
		for i := 1; i <= 100; i++ {
			src <- i
		}
		close(src)
	}()
	go func() {
		for v := range src {
			sq <- v * v
		}
		close(sq)
	}()
	sum := 0
	for v := range sq {
		sum += v
	}
	fmt.Println("pipeline sum of squares:", sum)
}

func mutexCounter() {
	var mu sync.Mutex
	var wg sync.WaitGroup
	count := 0
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				mu.Lock()
				count++
				mu.Unlock()
				if i%100 == 0 {
					runtime.Gosched()
				}
			}
		}()
	}
	wg.Wait()
	fmt.Println("mutex counter:", count)
}

func once() {
	var o sync.Once
	var calls atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o.Do(func() { calls.Add(1) })
		}()
	}
	wg.Wait()
	fmt.Println("once calls:", calls.Load())
}

func selectLoop() {
	a := make(chan int)
	b := make(chan string)
	go func() {
		for i := 0; i < 5; i++ {
			a <- i
		}
	}()
	go func() {
		for i := 0; i < 5; i++ {
			b <- fmt.Sprint("s", i)
		}
	}()
	var ints []int
	var strs []string
	for len(ints)+len(strs) < 10 {
		select {
		case v := <-a:
			ints = append(ints, v)
		case s := <-b:
			strs = append(strs, s)
		}
	}
	fmt.Println("select got:", ints, strs)
	select {
	case v := <-a:
		fmt.Println("unexpected", v)
	default:
		fmt.Println("select default taken")
	}
}

func workers() {
	jobs := make(chan int, 100)
	results := make(chan [2]int, 100)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				f := 1
				for k := 2; k <= j%12; k++ {
					f *= k
				}
				results <- [2]int{j, f}
			}
		}()
	}
	for j := 0; j < 50; j++ {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	close(results)
	var all [][2]int
	for r := range results {
		all = append(all, r)
	}
	sort.Slice(all, func(i, j int) bool { return all[i][0] < all[j][0] })
	fmt.Println("worker results:", len(all), all[0], all[11], all[49])
}

func main() {
	fmt.Println("GOMAXPROCS >= 1:", runtime.GOMAXPROCS(0) >= 1)
	pipeline()
	mutexCounter()
	once()
	selectLoop()
	workers()
	fmt.Println("done")
}
