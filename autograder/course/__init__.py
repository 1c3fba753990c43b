"""The course as configured: course.yaml's model and the layout of each homework."""
