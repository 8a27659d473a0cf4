// json: encoding/json round trips, struct tags, maps (sorted keys), and decoding errors.
package main

import (
	"encoding/json"
	"fmt"
	"strings"
)

type Item struct {
	Name  string            `json:"name"`
	Price float64           `json:"price"`
	Tags  []string          `json:"tags,omitempty"`
	Attrs map[string]string `json:"attrs,omitempty"`
	Skip  int               `json:"-"`
}

func main() {
	items := []Item{
		{Name: "apple", Price: 1.25, Tags: []string{"fruit", "red"}},
		{Name: "bread", Price: 3, Attrs: map[string]string{"z": "last", "a": "first"}},
	}
	b, err := json.Marshal(items)
	fmt.Println(string(b), err)
	var back []Item
	err = json.Unmarshal(b, &back)
	fmt.Println(len(back), back[1].Attrs["a"], err)
	ind, _ := json.MarshalIndent(map[string]any{"k": []int{1, 2}, "b": true, "n": nil}, "", "  ")
	fmt.Println(string(ind))
	var anyv any
	dec := json.NewDecoder(strings.NewReader(`{"a": [1, 2.5, "x", {"b": null}]} {"second": 2}`))
	for dec.More() {
		if err := dec.Decode(&anyv); err != nil {
			fmt.Println("decode error:", err)
			break
		}
		fmt.Printf("%v\n", anyv)
	}
	err = json.Unmarshal([]byte(`{"name": 5}`), &Item{})
	fmt.Println("type error:", err)
	err = json.Unmarshal([]byte(`{"name": `), &Item{})
	fmt.Println("syntax error:", err)
}
