module github.com/diskd-actors/diskd-actors/test/codecbench

go 1.26.8

require (
	github.com/diskd-actors/diskd-actors v0.0.0
	github.com/goccy/go-json v0.12.0
	github.com/segmentio/encoding v0.5.4
)

require (
	github.com/segmentio/asm v1.1.3 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
	golang.org/x/sys v0.50.0 // indirect
)

replace github.com/diskd-actors/diskd-actors => ../..
