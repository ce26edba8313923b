package dev.jgpt.server; final class Placeholder {}
