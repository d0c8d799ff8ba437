"""The generated demo city: the embedded default the product and its tests run on."""

from dagster_project.demo.generator import GenerationSummary, generate_demo_city

__all__ = ["GenerationSummary", "generate_demo_city"]
