"""reply_templates"""
